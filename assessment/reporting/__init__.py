"""FR.AK.05 (the assessor's report to the LSP) and FR.AK.06 (the review of the assessment process):
the records written at and after the submission of an assessment (9.3.5), each a PDF."""
