"""How the portal writes dates and times, per language (settings.FORMAT_MODULE_PATH).

One format everywhere a person reads a date: "2 Des 2026", and with the time "2 Des 2026 00.58
WIB" (Indonesian writes the time with a dot); in English "2 Dec 2026" and "2 Dec 2026 00:58 WIB".
Django reads these names wherever it turns a date into text - `{{ value }}`, `{{ value|date }}`,
`{{ value|date:"DATETIME_FORMAT" }}`, the admin's columns - and `lsp_portal.dates.format_date` /
`format_datetime` use them in Python code (messages, PDFs' data, model texts). Official PDFs are
rendered in LANGUAGE_CODE, so they always use the Indonesian one. Change a format here and every
page, document, e-mail and message follows.

Only the output formats are set: what forms accept (the *_INPUT_FORMATS) stays Django's.
"""
