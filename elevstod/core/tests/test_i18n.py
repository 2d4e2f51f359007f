from django.test import Client
from django.urls import reverse


def test_swedish_is_the_default_and_english_is_complete(client: Client, db: None) -> None:
    assert "Logga in" in client.get(reverse("accounts:login")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    body = client.get(reverse("accounts:login")).content.decode()
    assert 'lang="en"' in body
    assert "Username" in body
    assert "Användarnamn" not in body
