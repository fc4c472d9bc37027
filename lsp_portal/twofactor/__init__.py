"""Staff sign-in beyond the password: two-factor sign-in (TOTP with django-otp, recovery codes)
and the end of idle staff sessions (issue 12, items 10 and 11)."""
