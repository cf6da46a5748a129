"""Citations placed by the judge: each supported sentence cites the passage that supports it.

A 0.5B local model asked to cite "[1]" copies passage headers ("[1] Asthma (symptoms)") and
cites the wrong passage (citation precision 0.74 on the answer benchmark). The chat asks it
for plain sentences instead, and ``cite`` adds the markers afterwards from the judge's own
evidence: a sentence the judge labels ``supported`` gets `` [n]`` for the passage whose
window decided it. A sentence that already cites a passage (a remote model that cites well)
and a sentence that is not supported are left as they are: no citation is better than a
wrong one.
"""

from __future__ import annotations

import re
from dataclasses import replace

from nli_judge.judge.results import FaithfulnessResult

CITATION = re.compile(r"\[(\d{1,2})\]")  # a passage number the answer cites: [1] ... [99]
_TRAILING = re.compile(r"[\s.!?:;,\"'”’]*$")  # the marker goes before these, after a ")"


def cite(answer: str, result: FaithfulnessResult | None) -> tuple[str, FaithfulnessResult | None]:
    """``answer`` with `` [n]`` before the closing punctuation of each supported sentence that
    cites nothing yet, and ``result`` with its sentence offsets and texts moved to match
    (scores unchanged: a citation marker is not a claim). ``(answer, result)`` as they were
    when there is no result."""
    if result is None:
        return answer, result
    out, sentences, shift, last = [], [], 0, 0
    for s in result.sentences:
        start, end, text = s.start + shift, s.end + shift, s.text
        if s.label == "supported" and s.passage is not None and not CITATION.search(s.text):
            cut = s.start + _TRAILING.search(answer[s.start:s.end]).start()
            marker = f" [{s.passage + 1}]"
            out.append(answer[last:cut] + marker)
            last = cut
            end += len(marker)
            shift += len(marker)
            text = answer[s.start:cut] + marker + answer[cut:s.end]
        sentences.append(replace(s, start=start, end=end, text=text))
    out.append(answer[last:])
    return "".join(out), replace(result, sentences=sentences)
