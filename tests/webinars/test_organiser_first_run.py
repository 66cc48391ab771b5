"""A new organiser's first steps in admin: their own account, and errors in admin's look."""

from django.urls import reverse

from tests.html import form_data, text_of


def test_an_organiser_refused_a_page_sees_admin_403_with_a_way_back(organiser_client):
    response = organiser_client.get(reverse("admin:auth_user_changelist"))

    assert response.status_code == 403
    html = response.content.decode()
    assert 'id="site-name"' in html
    assert "Your account may not open this page." in text_of(response)
    assert f'href="{reverse("admin:index")}"' in html


def test_a_missing_admin_page_is_a_404_in_admin_look_in_dutch(organiser_client):
    response = organiser_client.get("/nl/admin/webinars/nothing-here/")

    assert response.status_code == 404
    html = response.content.decode()
    assert 'id="site-name"' in html
    assert "Pagina niet gevonden" in text_of(response)
    assert 'href="/nl/admin/"' in html


def test_a_visitor_404_outside_admin_keeps_the_site_page(organiser_client):
    response = organiser_client.get("/no-such-page/")

    assert response.status_code == 404
    assert 'id="site-name"' not in response.content.decode()
    assert "Search the webinars" in text_of(response)


def test_an_organiser_edits_their_own_name_and_address(organiser_client, organiser):
    index = organiser_client.get(reverse("admin:index")).content.decode()
    url = reverse("admin_account")
    assert f'href="{url}"' in index
    data = form_data(organiser_client.get(url), None)
    data.update(first_name="Olga", last_name="Organiser", email="olga@example.org")

    response = organiser_client.post(url, data, follow=True)

    organiser.refresh_from_db()
    assert (organiser.first_name, organiser.email) == ("Olga", "olga@example.org")
    assert "Your account is saved." in text_of(response)
    assert organiser.is_staff and not organiser.is_superuser


def test_an_account_page_refuses_a_bad_address_and_keeps_the_old_one(organiser_client, organiser):
    organiser.email = "old@example.org"
    organiser.save()

    response = organiser_client.post(
        reverse("admin_account"), {"first_name": "", "last_name": "", "email": "not an address"}
    )

    assert response.status_code == 200
    organiser.refresh_from_db()
    assert organiser.email == "old@example.org"


def test_the_account_page_is_for_staff_only(client, django_user_model):
    user = django_user_model.objects.create_user(username="visitor", password="x")
    client.force_login(user)

    response = client.get(reverse("admin_account"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
