"""The main pages of every role at a phone (390 px), a tablet (768 px, the assessor at the TUK)
and a desktop (1280 px): none may be wider than the window - a table that does not fit scrolls
inside its own box, and the navbar folds or fits. Each page is saved to
test-artifacts/layout/<role>-<page>-<width>.png to be looked at (issue 13, item 10)."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.browser.conftest import ARTIFACTS
from tests.conftest import PASSWORD
from tests.security.test_route_matrix import arguments, view_of, world  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 768, 1280)

# role -> the route names of its main pages (arguments from the route-matrix world)
PAGES = {
    "anonymous": ["home", "registration:scheme_detail", "certificates:verify", "accounts:login",
                  "accounts:signup"],
    "applicant": ["dashboard", "registration:application_detail",
                  "registration:application_self_assessment", "assessment:detail",
                  "decisions:my_decision", "certificates:mine", "certificates:detail",
                  "assessment:schedules_open"],
    "staff": ["dashboard", "registration:review_queue", "registration:review_detail",
              "assessment:staff_overview", "assessment:detail", "decisions:meeting_list",
              "decisions:meeting_detail", "decisions:case", "certificates:registry",
              "certificates:detail", "appeals:list", "appeals:detail", "accounts:people",
              "accounts:person_detail", "accounts:person_invite", "registration:scheme_standard",
              "registration:scheme_standard_unit", "assessment:instrument_bank",
              "assessment:instrument_bank_unit", "assessment:schedule_list",
              "assessment:schedule_detail", "assessment:schedule_new"],
    "assessor": ["assessment:assessor_cases", "assessment:detail", "assessment:plan",
                 "assessment:adjustment", "assessment:evidence", "assessment:results",
                 "assessment:observation", "assessment:instruments",
                 "assessment:process_review"],
    "technical": ["decisions:meeting_list", "decisions:meeting_detail", "decisions:case"],
    "appeal": ["appeals:list", "appeals:detail"],
    "director": ["decisions:meeting_list", "appeals:detail", "certificates:registry"],
}  # fmt: skip

OVERFLOW = """() => {
    const doc = document.documentElement;
    const wide = [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > doc.clientWidth + 1
                     && !e.closest('.table-responsive, .overflow-auto, pre'))
        .slice(0, 5)
        .map(e => e.tagName.toLowerCase()
                  + (e.className ? '.' + String(e.className).split(' ').join('.') : ''));
    return {scroll: doc.scrollWidth, client: doc.clientWidth, wide: wide};
}"""


def sign_in(page, base, user, language="id"):
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    )
    if user is None:
        return
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{base}/**")


def test_no_main_page_is_wider_than_a_phone_a_tablet_or_a_desktop(page, live_server, world):  # noqa: F811
    base = live_server.url
    folder = ARTIFACTS / "layout"
    folder.mkdir(parents=True, exist_ok=True)
    users = {"anonymous": None, **world["users"]}
    wide = []
    shown = 0
    for role, names in PAGES.items():
        sign_in(page, base, users[role])
        for name in names:
            url = base + reverse(name, args=arguments(name, view_of(world, role)))
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(url)
                page.screenshot(path=str(folder / f"{role}-{name.replace(':', '_')}-{width}.png"),
                                full_page=True)  # fmt: skip
                found = page.evaluate(OVERFLOW)
                if found["scroll"] > found["client"]:
                    wide.append(f"{role} {name} at {width}: {found['scroll']} px {found['wide']}")
                shown += 1
    # English labels are longer: the navbar of each role must still fit where it is expanded (xl,
    # from 1200 px), with the menu under the name (log out) inside the window.
    for role in ("staff", "director", "technical", "assessor", "applicant"):
        sign_in(page, base, users[role], language="en")
        name = PAGES[role][0]
        url = base + reverse(name, args=arguments(name, view_of(world, role)))
        for width in (1200, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(url)
            page.screenshot(path=str(folder / f"{role}-en-{width}.png"))
            found = page.evaluate(OVERFLOW)
            if found["scroll"] > found["client"]:
                wide.append(
                    f"{role} {url} in English at {width}: {found['scroll']} px {found['wide']}"
                )
            menu = page.locator("[data-testid=user-menu]").bounding_box()
            if menu["x"] + menu["width"] > width:
                wide.append(
                    f"{role} in English at {width}: the menu ends at {menu['x'] + menu['width']} px"
                )
            shown += 1
    assert shown == 3 * sum(len(names) for names in PAGES.values()) + 10
    assert wide == [], "\n".join(wide)
