from django.utils.functional import SimpleLazyObject


def two_factor(request):
    """`two_factor_pending`: the signed-in user still has to pass the second step, so the menus
    (which would only lead back to it) are not shown. Evaluated only when a template asks."""

    def pending():
        from . import services

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(user, "is_verified"):
            return False
        return services.pending_step(request) is not None

    return {"two_factor_pending": SimpleLazyObject(pending)}
