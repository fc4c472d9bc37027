from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class PortalLocaleMiddleware(LocaleMiddleware):
    """Bahasa Indonesia unless the user chose another language with the switch (cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so most visitors with an
    English browser would get English; the LSP wants Indonesian as the default for everyone.
    """

    def process_request(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()
