from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.shortcuts import redirect

from elevstod.accounts.models import User

admin.site.register(User, UserAdmin)


def _login_via_main_sign_in(request, extra_context=None):  # type: ignore[no-untyped-def]
    """The admin has no sign-in page of its own: the main one, with its second factor, is used."""
    return redirect(f"/accounts/login/?next={request.path}")


admin.site.login = _login_via_main_sign_in  # type: ignore[method-assign]
admin.site.site_header = "Elevstöd – teknisk administration"
