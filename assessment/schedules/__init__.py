"""Assessment events (jadwal uji kompetensi, issue 16): a scheme, a verified TUK (9.3.2), a date and
time, the assessors and a group of candidates. The event is the unit BNSP reports on (KODE JADWAL).
The models are part of the `assessment` app (assessment/models.py imports them).
"""
