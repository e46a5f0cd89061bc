"""Error pages look like the site, in both languages, and the 500 and CSRF pages need
neither the database nor a request context; the site has an icon."""

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from django.views import defaults
from django.views.csrf import csrf_failure

pytestmark = pytest.mark.django_db


def _styled(html: str) -> bool:
    return "site_shell/site.css" in html and 'class="site-header"' in html and "site_shell/favicon.svg" in html


@pytest.mark.parametrize(("language", "words"), [("en", "Page not found"), ("zh-hans", "找不到该页面")])
def test_an_unknown_address_gets_the_sites_404_in_the_readers_language(client, language, words):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 404
    html = response.content.decode()
    assert f"<h1>{words}</h1>" in html and _styled(html)
    assert 'lang="' + language + '"' in html


def test_a_forbidden_page_is_the_sites_403(client, zone_admin, roles):
    from django.contrib.auth.models import Group

    from access.roles import ROLE_VIEWER
    from tests.factories import UserFactory

    viewer = UserFactory(is_staff=True)
    viewer.groups.add(Group.objects.get(name=ROLE_VIEWER))
    client.force_login(viewer)
    response = client.get("/admin/targets/plan/add/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>无权访问</h1>" in html and _styled(html)


@pytest.mark.parametrize(("language", "words"), [("en", "Bad request"), ("zh-hans", "请求无效")])
def test_a_bad_request_is_the_sites_400(language, words):
    request = RequestFactory().get("/")
    with translation.override(language):
        response = defaults.bad_request(request, Exception("unreadable"))
    assert response.status_code == 400
    assert f"<h1>{words}</h1>" in response.content.decode() and _styled(response.content.decode())


@pytest.mark.parametrize(("language", "words"), [("en", "Something went wrong"), ("zh-hans", "出现错误")])
def test_the_500_page_is_styled_and_needs_no_database(django_assert_num_queries, language, words):
    request = RequestFactory().get("/")
    with translation.override(language), django_assert_num_queries(0):
        response = defaults.server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert f"<h1>{words}</h1>" in html and _styled(html)
    assert f'lang="{language}"' in html


def test_a_form_sent_without_its_token_gets_the_sites_csrf_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "en"}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>表单已过期</h1>" in html and _styled(html)
    with translation.override("en"):
        page = csrf_failure(RequestFactory().post("/"), reason="no token")
    assert "The form has expired" in page.content.decode()


def test_the_site_has_an_icon_and_favicon_ico_leads_to_it(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302 and response["Location"].endswith("site_shell/favicon.svg")
    assert "max-age=86400" in response["Cache-Control"]
    assert client.post("/favicon.ico").status_code == 405
