from functools import wraps

from django.core.exceptions import PermissionDenied


def role_required(*roles):
    """Refuse (403) a signed-in user holding none of `roles`. Login is enforced globally."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(request.user.has_role(role) for role in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
