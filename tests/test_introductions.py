"""Names heard for voices: self-introductions and roll-call answers as Whisper writes them, the
sentences that must not name anyone, side and role, and a roster putting names right."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ontherecord.introductions import Introduction, find
from ontherecord.model import SIDES, Segment, Word


@dataclass(frozen=True)
class Seat:
    """Someone on the roster, as staff would enter them."""

    name: str
    side: str | None = None
    role: str | None = None


ROSTER = [
    Seat("Mark Ellison", "district", "Chief negotiator"),
    Seat("Grace Holloway", "union", "MFT president"),
    Seat("Dana Whitfield", "mediator", "Mediator"),
    Seat("Rosa Delgado", "union", None),
]


def lines(*said: tuple[str, str], gap: float = 4.0) -> list[Segment]:
    """Segments saying each (speaker, text) in turn, `gap` seconds apart."""
    return [Segment(i * gap, i * gap + gap - 0.5, text, speaker)
            for i, (speaker, text) in enumerate(said)]


def one(text: str, roster=()) -> Introduction:
    """The single suggestion a line by S1 makes."""
    found = find(lines(("S1", text)), roster)
    assert len(found) == 1, found
    return found[0]


def named(found: list[Introduction]) -> list[tuple[str, str]]:
    return [(f.speaker, f.name) for f in found]


# --- self-introductions -------------------------------------------------------------------------


def test_im_name_with_role_and_side():
    found = one("Good evening. I'm Mark Ellison, chief negotiator for the district.")
    assert (found.name, found.side, found.role) == ("Mark Ellison", "district", "Chief negotiator")
    assert found.how == "introduction"
    assert found.evidence == "I'm Mark Ellison, chief negotiator for the district."


def test_my_name_is_with_teaching_and_the_federation():
    found = one("My name is Grace Holloway and I teach fourth grade at Lyndale; "
                "I'm with the federation.")
    assert (found.name, found.side, found.role) == ("Grace Holloway", "union", "Teacher")


def test_this_is_from_the_bureau_of_mediation_services():
    found = one("This is Dana Whitfield from the Bureau of Mediation Services.")
    assert (found.name, found.side, found.role) == ("Dana Whitfield", "mediator", None)


def test_name_first_label():
    found = one("Rosa Delgado, ESP chapter chair.")
    assert (found.name, found.side, found.role) == ("Rosa Delgado", "union", "ESP chapter chair")


def test_title_and_here():
    found = one("Good evening, Superintendent Ed Graff here.")
    assert (found.name, found.side, found.role) == ("Ed Graff", "district", "Superintendent")
    assert found.evidence == "Good evening, Superintendent Ed Graff here."


@pytest.mark.parametrize("text, name, side, role", [
    ("Hi, I'm Rosa Delgado, HR director.", "Rosa Delgado", "district", "HR director"),
    ("I'm Tom Lee, on the district's team.", "Tom Lee", "district", None),
    ("I am Pat Kim, director of human resources.", "Pat Kim", "district",
     "Director of human resources"),
    ("I'm Grace Holloway, vice president of the federation.", "Grace Holloway", "union",
     "Vice president"),
    ("Hello, my name's Grace Holloway, MFT.", "Grace Holloway", "union", None),
    ("Grace Holloway here for Education Minnesota.", "Grace Holloway", "union", None),
    ("I'm Sam O'Neil, president of Local 59.", "Sam O'Neil", "union", "President of Local 59"),
    ("Hi everyone, Ana Ruiz, fourth grade teacher at Lyndale, with the teachers' chapter.",
     "Ana Ruiz", "union", "Fourth grade teacher"),
    ("I'm Kim Ellison, school board chair.", "Kim Ellison", "board", "School board chair"),
    ("Board Member Siad Ali here.", "Siad Ali", "board", "Board member"),
    ("My name is Tom Nguyen, I'm a parent at Lyndale.", "Tom Nguyen", "public", None),
    ("I'm Jo Park, here for public comment.", "Jo Park", "public", None),
    ("This is Dana Whitfield, the mediator from BMS.", "Dana Whitfield", "mediator", "Mediator"),
    ("I'm Dr. Lena McKenna.", "Lena McKenna", None, None),
    ("This is Mark J. Ellison for the district.", "Mark J. Ellison", "district", None),
    ("I’m Rosa Delgado, HR.", "Rosa Delgado", "district", None),  # a curly apostrophe
    ("Im Rosa Delgado HR director", "Rosa Delgado", "district", "HR director"),
    ("Okay, I'm Mary-Kate Byrne and I represent the district.", "Mary-Kate Byrne", "district",
     None),
])
def test_side_and_role_from_what_is_said(text, name, side, role):
    found = one(text)
    assert (found.name, found.side, found.role) == (name, side, role)
    assert found.side is None or found.side in SIDES


@pytest.mark.parametrize("text", [
    # Two sides and nothing saying which is theirs: no side rather than a wrong one.
    "I'm Pat Kim, a parent and a teacher in the district.",
    # A side only mentioned in a clause, or another side's proposal, is not theirs.
    "I'm Mark Ellison and I want to talk about the union.",
    "I'm Mark Ellison, and the union's proposal is what we'll discuss.",
])
def test_no_side_when_unsure(text):
    assert one(text).side is None


def test_side_and_role_from_the_next_sentence_of_the_same_voice():
    found = one("Hi, I'm Dana Whitfield. I'm the mediator from BMS tonight. Let's begin.")
    assert (found.side, found.role) == ("mediator", "Mediator")
    assert found.evidence == "Hi, I'm Dana Whitfield. I'm the mediator from BMS tonight."
    # The next line of the same voice counts too, when it follows at once.
    found = find([Segment(0, 2, "I'm Grace Holloway.", "S2"),
                  Segment(2.5, 5, "I'm with the federation.", "S2")])
    assert [(f.side, f.evidence) for f in found] == [
        ("union", "I'm Grace Holloway. I'm with the federation.")]


def test_next_sentence_that_is_not_about_the_speaker_says_nothing():
    found = one("I'm Mark Ellison. The union's proposal came in late. We need the district.")
    assert (found.side, found.evidence) == (None, "I'm Mark Ellison.")
    # Another voice's next sentence is theirs, not the introduction's.
    found = find(lines(("S1", "I'm Mark Ellison."), ("S2", "I'm with the federation.")))
    assert [(f.speaker, f.side) for f in found] == [("S1", None)]


def test_line_without_punctuation():
    found = one("I'm Mark Ellison chief negotiator for the district and we are ready to start")
    assert (found.name, found.side, found.role) == ("Mark Ellison", "district", "Chief negotiator")


def test_evidence_start_is_the_sentence_from_word_times():
    words = [Word(100.0, 100.4, " Thanks,", 0.9), Word(100.4, 100.9, " everyone.", 0.9),
             Word(101.3, 101.5, " I'm", 0.9), Word(101.5, 101.8, " Rosa", 0.9),
             Word(101.8, 102.3, " Delgado.", 0.9)]
    segment = Segment(100.0, 102.3, "Thanks, everyone. I'm Rosa Delgado.", "S4", words)
    [found] = find([segment])
    assert (found.speaker, found.start, found.evidence) == ("S4", 101.3, "I'm Rosa Delgado.")
    # Without word times the line's start is the seek position.
    [found] = find([Segment(100.0, 102.3, "Thanks, everyone. I'm Rosa Delgado.", "S4")])
    assert found.start == 100.0


# --- what must not name anyone ------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "Thank you, Mark.",
    "As Grace said, the calendar matters.",
    "I'm sorry, could you repeat that?",
    "I'm not sure that works for us.",
    "I'm going to pass it to Grace Holloway.",
    "I'm glad we got here.",
    "This is a proposal we can live with.",
    "This is the fourth session.",
    "I'm Sorry.",
    "This is Tuesday.",
    "This is Article Five.",
    "This is Minneapolis Public Schools.",
    "This is Lyndale Elementary.",
    "This is Lincoln Middle School's proposal.",
    "This is Mark Ellison's proposal.",
    "I'm with Mark Ellison on this.",
    "Mark, go ahead.",
    "Grace Holloway, thank you for that.",
    "Mark Ellison from the district presented this last week.",
    "Mark Ellison, the district's chief negotiator, said no.",
    "Rosa Delgado said the ESP chapter agrees.",
    "I'd like to introduce Dana Whitfield from BMS.",
    "Thank you, Mark Ellison, chief negotiator for the district.",
    "I'm ESP.",
    "I'm Going To Start.",
    "i'm mark ellison",  # lower case: only a roster can tell it is a name
])
def test_not_a_name_for_the_speaker(text):
    assert find(lines(("S1", text))) == []


def test_a_neighbour_introduced_in_the_same_line_is_not_the_speaker():
    found = find(lines(("S1", "I'm Mark Ellison. This is Rosa Delgado, our HR director. "
                              "Tom Lee, finance director.")))
    assert named(found) == [("S1", "Mark Ellison")]


def test_a_line_without_a_speaker_names_no_one():
    assert find([Segment(0, 2, "I'm Mark Ellison.", None)]) == []


# --- roll call ----------------------------------------------------------------------------------


def test_roll_call_without_roster():
    found = find(lines(("S9", "Let's take roll. Next, Mark Ellison?"), ("S1", "Here."),
                       ("S9", "Director Holloway."), ("S2", "Present."),
                       ("S9", "Ms. Delgado?"), ("S4", "Yes, here.")))
    assert [(f.speaker, f.name, f.role, f.how) for f in found] == [
        ("S1", "Mark Ellison", None, "roll call"),
        ("S2", "Holloway", "Director", "roll call"),
        ("S4", "Delgado", None, "roll call"),
    ]
    assert (found[0].start, found[0].evidence) == (0.0, "Next, Mark Ellison? — Here.")
    assert found[1].evidence == "Director Holloway. — Present."


def test_roll_call_with_roster():
    found = find(lines(("S9", "Mark Ellison?"), ("S1", "Here."),
                       ("S9", "Holloway?"), ("S2", "Aye."),
                       ("S9", "director whitfield"), ("S3", "present"),
                       ("S9", "Rosa?"), ("S4", "Yes.")), ROSTER)
    assert [(f.speaker, f.name, f.side, f.role) for f in found] == [
        ("S1", "Mark Ellison", "district", "Chief negotiator"),
        ("S2", "Grace Holloway", "union", "MFT president"),
        ("S3", "Dana Whitfield", "mediator", "Mediator"),
        ("S4", "Rosa Delgado", "union", None),
    ]
    assert all(f.how == "roll call" for f in found)


@pytest.mark.parametrize("said, roster", [
    # One bare first name and "Yes" is a question to someone, unless the roster knows them.
    ((("S9", "Mark?"), ("S1", "Yes.")), ()),
    # An answer that goes on is no roll-call answer.
    ((("S9", "Mark Ellison?"), ("S1", "Yes, I think we can agree to that.")), ROSTER),
    # A sentence about someone is no call.
    ((("S9", "Mark Ellison has the floor."), ("S1", "Yes.")), ROSTER),
    # The same voice answering itself.
    ((("S9", "Mark Ellison?"), ("S9", "Here.")), ROSTER),
])
def test_not_a_roll_call(said, roster):
    assert find(lines(*said), roster) == []


def test_roll_call_answer_too_long_after_the_call():
    segments = [Segment(0, 1, "Mark Ellison?", "S9"), Segment(12.0, 12.5, "Here.", "S1")]
    assert find(segments) == []
    segments[1] = Segment(8.0, 8.5, "Here.", "S1")
    assert named(find(segments)) == [("S1", "Mark Ellison")]


# --- roster -------------------------------------------------------------------------------------


def test_roster_puts_a_misspelled_name_right():
    found = one("I'm Mark Elison, chief negotiator for the district.", ROSTER)
    assert (found.name, found.side, found.role) == ("Mark Ellison", "district", "Chief negotiator")
    assert found.evidence == "I'm Mark Elison, chief negotiator for the district."


def test_roster_wins_over_what_was_guessed():
    roster = [Seat("Mark Ellison", "board", "Board chair")]
    found = one("I'm Mark Ellison, chief negotiator for the district.", roster)
    assert (found.side, found.role) == ("board", "Board chair")
    # What the roster leaves empty is still guessed.
    found = one("Rosa Delgado, ESP chapter chair.", ROSTER)
    assert (found.name, found.side, found.role) == ("Rosa Delgado", "union", "ESP chapter chair")


def test_roster_match_is_near_not_loose():
    assert one("I'm Mark J. Elison.", ROSTER).name == "Mark Ellison"
    # Two edits would make any short name another: "Al Li" is not Ed Li.
    assert one("I'm Al Li.", [Seat("Ed Li", "district")]).name == "Al Li"


def test_roster_first_or_last_name_alone_when_unique():
    assert one("I'm Grace.", ROSTER).name == "Grace Holloway"
    assert one("This is Whitfield from BMS.", ROSTER).name == "Dana Whitfield"
    # Two Marks: the roster cannot say which, so the name is shown as heard.
    roster = [*ROSTER, Seat("Mark Twain", "public")]
    found = one("I'm Mark.", roster)
    assert (found.name, found.side) == ("Mark", None)


def test_roster_lets_lower_case_names_through():
    found = one("i'm mark ellison chief negotiator for the district", ROSTER)
    assert (found.name, found.role) == ("Mark Ellison", "Chief negotiator")
    assert one("this is dana whitfield from bms", ROSTER).name == "Dana Whitfield"
    # A name not on the roster stays as heard.
    assert one("I'm Tom Lee.", ROSTER).name == "Tom Lee"


def test_roster_does_not_turn_common_words_into_names():
    for text in ("i'm sorry", "i'm not sure", "this is a proposal", "Thank you, Mark."):
        assert find(lines(("S1", text)), ROSTER) == []


# --- one suggestion per voice and person --------------------------------------------------------


def test_one_suggestion_per_speaker_and_name_the_introduction_kept():
    found = find(lines(("S9", "Mark Ellison?"), ("S1", "Here."),
                       ("S1", "I'm Mark Ellison, chief negotiator for the district."),
                       ("S1", "Again, I'm Mark Ellison."),
                       ("S9", "Director Ellison?"), ("S1", "Present.")))
    assert [(f.speaker, f.name, f.how, f.start) for f in found] == [
        ("S1", "Mark Ellison", "introduction", 8.0)]
    assert found[0].role == "Chief negotiator"


def test_a_speaker_with_two_names_gets_both_strongest_first():
    found = find(lines(("S9", "Mark Ellison?"), ("S3", "Here."),
                       ("S3", "This is Dana Whitfield from the Bureau of Mediation Services."),
                       ("S3", "My name is Dana Whitfield, again."),
                       ("S1", "I'm Ed Graff."), ("S1", "I'm Tom Lee.")))
    assert [(f.speaker, f.name, f.how) for f in found] == [
        ("S3", "Dana Whitfield", "introduction"),
        ("S3", "Mark Ellison", "roll call"),
        ("S1", "Ed Graff", "introduction"),
        ("S1", "Tom Lee", "introduction"),
    ]


def test_one_name_for_two_voices_goes_to_both():
    # Diarization may split one person in two: staff merge them, so both are told.
    found = find(lines(("S1", "I'm Grace Holloway."), ("S5", "I'm Grace Holloway, MFT.")))
    assert named(found) == [("S1", "Grace Holloway"), ("S5", "Grace Holloway")]


def test_a_name_heard_more_often_comes_first():
    found = find(lines(("S1", "I'm Tom Lee."), ("S1", "I'm Ed Graff."),
                       ("S1", "Again, this is Ed Graff, superintendent.")))
    assert named(found) == [("S1", "Ed Graff"), ("S1", "Tom Lee")]
    assert found[0].start == 4.0  # the first time it was said
