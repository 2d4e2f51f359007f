from django.urls import path

from elevstod.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/tvastegs/", views.otp_verify, name="otp_verify"),
    path("accounts/tvastegs/aktivera/", views.otp_setup, name="otp_setup"),
    path("konto/api-nycklar/", views.api_tokens, name="api_tokens"),
    path(
        "konto/api-nycklar/<uuid:token_id>/aterkalla/",
        views.api_token_revoke,
        name="api_token_revoke",
    ),
    path("konto/api-nycklar/tillsyn/", views.api_tokens_overseen, name="api_tokens_overseen"),
    path(
        "konto/api-nycklar/tillsyn/<uuid:token_id>/aterkalla/",
        views.api_token_revoke_overseen,
        name="api_token_revoke_overseen",
    ),
]
