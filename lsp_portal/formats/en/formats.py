# English: "2 Dec 2026", "2 Dec 2026 00:58 WIB" (day first like the Indonesian, so that a date reads
# the same way whichever language is chosen).
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i T"
TIME_FORMAT = "H:i"
