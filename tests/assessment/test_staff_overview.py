"""The staff overview at scale: a decided recommendation has left the technical team's queue, and
each of the three lists shows 50 at a time, oldest first, with the full count."""

import re

from django.urls import reverse

from lsp_site import datagen


def rows(response, testid):
    html = response.content.decode()
    table = re.search(rf'data-testid="{testid}".*?</table>', html, re.S).group(0)
    return re.findall(r"<tr><td>", table)


def test_a_decided_recommendation_is_no_longer_ready_for_the_technical_team(client, staff):
    waiting = datagen.make_cases(1, "recommended", seed="overview-ready")[0].case.assessment
    decided = datagen.make_cases(1, "decided_k", seed="overview-decided")[0].case.assessment
    client.force_login(staff)
    page = client.get(reverse("assessment:staff_overview"))
    ready = re.search(r'data-testid="ready".*?</table>', page.content.decode(), re.S).group(0)
    assert waiting.reference in ready
    assert decided.reference not in ready


def test_each_list_shows_fifty_at_a_time_with_the_full_count(client, staff):
    datagen.make_cases(51, "eligible", seed="overview-waiting")
    client.force_login(staff)
    url = reverse("assessment:staff_overview")
    first = client.get(url)
    assert len(rows(first, "waiting")) == 50
    assert '<span class="badge text-bg-light border">51</span>' in first.content.decode()
    assert "?waiting=2" in first.content.decode()
    second = client.get(url, {"waiting": 2})
    assert len(rows(second, "waiting")) == 1
