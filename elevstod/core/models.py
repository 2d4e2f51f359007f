import uuid

from django.db import models


class BaseModel(models.Model):
    """A UUID primary key (so ids in URLs reveal nothing and cannot be guessed) and timestamps."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
