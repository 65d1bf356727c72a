"""Pages of diagnoses and problem list (included in ``alliance.web.urls``, namespace ``web``)."""

from django.urls import URLPattern, path

from alliance.web.diagnoses import views as diagnoses

urlpatterns: list[URLPattern] = [
    path("clients/<int:client_id>/diagnoses/", diagnoses.problem_list, name="problem_list"),
    path("clients/<int:client_id>/diagnoses/new/", diagnoses.add, name="diagnosis_add"),
    path(
        "clients/<int:client_id>/diagnoses/<int:diagnosis_id>/",
        diagnoses.change,
        name="diagnosis_change",
    ),
    path(
        "clients/<int:client_id>/diagnoses/<int:diagnosis_id>/cosign/",
        diagnoses.cosign,
        name="diagnosis_cosign",
    ),
    path(
        "clients/<int:client_id>/diagnoses/<int:diagnosis_id>/return/",
        diagnoses.send_back,
        name="diagnosis_return",
    ),
    path("diagnoses/cosign/", diagnoses.cosign_queue, name="diagnosis_cosign_queue"),
]
