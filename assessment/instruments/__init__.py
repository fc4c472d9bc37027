"""The MUK instrument bank (issue 15): the tasks, questions and expected answers of the FR.IA
forms, kept per unit by the LSP and versioned, written against one version of the scheme's
competency standard (registration.StandardVersion) so that each item names the KUK it covers.

MUK (Materi Uji Kompetensi) are BNSP's assessment forms; FR.IA.01-FR.IA.11 are its instruments.
The models are part of the `assessment` app (assessment/models.py imports them).
"""
