"""English mode (issue 13, item 9): with English chosen, every label a person reads is English.
Official PDFs stay Indonesian (they are rendered in LANGUAGE_CODE whatever the reader chose).

The check: every page of the route-matrix world that a role opens, rendered with English chosen,
must show none of the portal's Indonesian translations (the msgstrs of locale/id, the parts of at
least 12 characters between placeholders). An Indonesian label written into a model, a template
or a service instead of being translated shows up here as soon as a page shows it."""

import gettext
import html
import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from tests.security.test_route_matrix import ROLES, ROUTES, arguments, view_of, world  # noqa: F401

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "id" / "LC_MESSAGES" / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{[^}]*\}")


def indonesian_fragments():
    with CATALOGUE.open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)._catalog
    fragments = set()
    for msgid, msgstr in catalogue.items():
        source = msgid[0] if isinstance(msgid, tuple) else msgid
        if not source or msgstr == source or "\x04" in source and msgstr == source.split("\x04")[1]:
            continue
        for part in PLACEHOLDER.split(msgstr):
            part = part.strip(" .,:;()")
            if len(part) >= 12 and " " in part and part not in source:
                fragments.add(part)
    return fragments


def test_the_catalogue_gives_enough_to_search_for():
    assert len(indonesian_fragments()) > 500


def scheme_texts():
    """The scheme's own words (its clauses, units, elements and KUK, documents, courses, fields)
    and the LSP's instrument texts: data in the language of the scheme document, shown as they
    are."""
    from registration.models import (
        KUK,
        Element,
        ExperienceField,
        RequiredCourse,
        RequiredDocument,
        Scheme,
        SchemeClause,
        Unit,
    )

    texts = set(SchemeClause.objects.values_list("text", flat=True))
    texts |= set(Unit.objects.values_list("title", flat=True))
    texts |= set(Element.objects.values_list("title", flat=True))
    texts |= set(KUK.objects.values_list("text", flat=True))
    texts |= set(Scheme.objects.values_list("name", flat=True))
    texts |= set(Scheme.objects.values_list("summary", flat=True))
    for model in (RequiredDocument, RequiredCourse, ExperienceField):
        texts |= set(model.objects.values_list("name", flat=True))
    # The LSP's instrument bank (its tasks, questions and answer guides) is data too.
    from assessment.models import InstrumentItem

    texts |= set(InstrumentItem.objects.values_list("text", flat=True))
    texts |= set(InstrumentItem.objects.values_list("guide", flat=True)) - {""}
    return sorted(texts, key=len, reverse=True)


def test_no_page_shows_indonesian_when_english_is_chosen(client, world):  # noqa: F811
    fragments = sorted(indonesian_fragments(), key=len, reverse=True)
    data = scheme_texts()
    users = {"anonymous": None, **world["users"]}
    found = {}
    pages = 0
    for name, (method, outcomes) in ROUTES.items():
        if method != "get":
            continue
        for role, expected in zip(ROLES, outcomes, strict=True):
            if expected != "ok":
                continue
            owner = {"applicant": world["bob"]} if name.startswith("appeals:") else {}
            client.logout()
            user = {**users, **owner}[role]
            if user is not None:
                client.force_login(user)
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
            response = client.get(reverse(name, args=arguments(name, view_of(world, role))))
            if not response.get("Content-Type", "").startswith("text/html"):
                continue  # PDFs and files: official documents stay Indonesian
            page = html.unescape(response.content.decode())
            for text in data:
                page = page.replace(text, "")
            pages += 1
            for fragment in fragments:
                if fragment in page:
                    found.setdefault(fragment, set()).add(name)
    assert pages >= 100
    assert found == {}, "\n".join(f"{k!r}: {sorted(v)}" for k, v in sorted(found.items()))


def test_certificate_statuses_and_results_are_english_when_chosen(client, world):  # noqa: F811
    """The labels the issue found Indonesian in English mode: the certificate's public status
    (Berlaku, Dicabut...) and the K/BK results (Kompeten, Belum Kompeten)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    certificate = world["certificate"]
    verify = client.get(reverse("certificates:verify_token", args=[certificate.token]))
    assert 'data-status="valid">Valid</strong>' in verify.content.decode()
    assert (
        client.get(reverse("certificates:verify_json", args=[certificate.token])).json()[
            "status_label"
        ]
        == "Valid"
    )
    client.force_login(world["users"]["staff"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    decision = client.get(reverse("decisions:meeting_detail", args=[world["meeting"].pk]))
    page = decision.content.decode()
    assert "Not yet competent" in page and "Competent" in page
    assert "Kompeten" not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    page = client.get(reverse("decisions:meeting_detail", args=[world["meeting"].pk]))
    assert "Belum Kompeten" in page.content.decode()
