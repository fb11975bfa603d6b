"""The ingest pipeline: recording → playable media and audio → transcript → archive."""

import os

# CTranslate2 and torch run their work on OpenMP threads, which by default spin while they
# wait. On two cores shared with anything else (the web server, a second ingest) the spinning
# threads starve the working ones: Whisper and the speaker models ran 10–40× slower. Passive
# waiting costs nothing measurable on an idle machine (BENCHMARKS.md). Set before either
# library is imported, which is when OpenMP reads it; a value the user set is kept.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
