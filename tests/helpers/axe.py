"""axe-core, the accessibility checker, run inside a page: where `make install` puts it (npm,
into tests/.node, which is not committed), and what it finds that must fail a test."""

from __future__ import annotations

from tests.helpers import ROOT

AXE = ROOT / "tests" / ".node" / "node_modules" / "axe-core" / "axe.min.js"
# The findings that fail a test; "moderate" and "minor" ones are advice.
BLOCKING = ("serious", "critical")
FINDINGS = """async (blocking) => (await axe.run(document, {resultTypes: ["violations"]}))
    .violations.filter((v) => blocking.includes(v.impact))
    .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                  targets: v.nodes.map((n) => n.target.join(" "))}))"""


def blocking_violations(page) -> list[dict]:
    """The serious and critical violations axe finds on the page as it stands.

    The page's context must bypass the site's Content-Security-Policy: axe arrives as an
    inline script, which the policy rightly forbids.
    """
    page.add_script_tag(path=str(AXE))
    return page.evaluate(FINDINGS, list(BLOCKING))


def described(violations: list[dict]) -> str:
    """Violations as a failure message: rule, impact and help, then each offending element."""
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["targets"])
                     for v in violations)
