"""The e-mail confirmation link's token: Django's password-reset token machinery (an HMAC of the
user's state and a timestamp, checked in constant time, valid PASSWORD_RESET_TIMEOUT), with its
own salt so a password-reset token never confirms an address and the other way round."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailConfirmationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "lsp_portal.accounts.tokens.EmailConfirmationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        # The confirmation state is in the hash: once the address is confirmed, every link sent
        # before stops working (a link works once). The password and the address are too: a link
        # sent before either changed is void.
        return f"{user.pk}{user.password}{user.email}{user.email_confirmed_at}{timestamp}"


email_confirmation_token = EmailConfirmationTokenGenerator()


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """The invitation link's token (staff invited a person by e-mail): Django's password-reset
    token with its own salt, so a reset link never opens an invitation and the other way round.
    The hash holds the (unusable) password: the link stops working once a password is set, and
    an invitation sent again (a new unusable password) voids the links sent before."""

    key_salt = "lsp_portal.accounts.tokens.InvitationTokenGenerator"


invitation_token = InvitationTokenGenerator()
