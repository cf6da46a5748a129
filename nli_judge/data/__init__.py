"""Training and evaluation data for the NLI model.

``pairs`` (labelled pair files: ``read_pairs``, ``NLIExamples``), ``judge_data`` (the judge
model's training mix, ``python -m nli_judge.data.judge_data``), ``synthetic`` (FactCC-style
edits of true sentences), ``label_fixes`` (corrections from the audit). May import ``model``
(labels, sentence splitting of the judge for windows).
"""
