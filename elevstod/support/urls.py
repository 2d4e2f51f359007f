"""The support chain's pages, one module per area (see each urls_*.py)."""

from elevstod.support import urls_chain, urls_programme, urls_tasks

app_name = "support"

urlpatterns = [
    *urls_chain.urlpatterns,
    *urls_programme.urlpatterns,
    *urls_tasks.urlpatterns,
]
