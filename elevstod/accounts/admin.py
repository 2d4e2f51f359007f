from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from elevstod.accounts.models import User

# The site itself (its header, sign-in through the main page) is elevstod/accounts/admin_site.py.
admin.site.register(User, UserAdmin)
