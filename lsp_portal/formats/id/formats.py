# Bahasa Indonesia: "2 Des 2026", "2 Des 2026 00.58 WIB" (T: the time zone's abbreviation; the
# value is on the Asia/Jakarta clock wherever Django or lsp_portal.dates formats it).
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H.i T"
TIME_FORMAT = "H.i"
