"""Every page of the web interface, one URL module per domain (``web/<domain>/urls.py``), all
in the namespace ``web``. Each view declares its access (see ``web.gate``)."""

from django.urls import URLPattern

from alliance.web.access import urls as access
from alliance.web.assessments import urls as assessments
from alliance.web.audit import urls as audit
from alliance.web.auth import urls as auth
from alliance.web.clients import urls as clients
from alliance.web.crisis import urls as crisis
from alliance.web.diagnoses import urls as diagnoses
from alliance.web.disclosures import urls as disclosures
from alliance.web.home import urls as home
from alliance.web.notes import urls as notes
from alliance.web.operations import urls as operations
from alliance.web.plans import urls as plans
from alliance.web.safety import urls as safety
from alliance.web.staff import urls as staff

app_name = "web"

urlpatterns: list[URLPattern] = []
for _domain in (
    home,
    auth,
    clients,
    access,
    assessments,
    audit,
    staff,
    diagnoses,
    notes,
    plans,
    safety,
    crisis,
    disclosures,
    operations,
):
    urlpatterns += _domain.urlpatterns
