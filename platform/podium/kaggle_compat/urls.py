"""The kaggle CLI's routes, under /api/ beside the REST API (whose paths are lowercase and never
hold a dot): ``v1/<package>.<Service>/<Method>`` is the kaggle protocol, ``v1/kaggle/...`` the
upload and download targets its answers point to."""

from django.urls import path, re_path

from podium.kaggle_compat import views

app_name = "kaggle"

urlpatterns = [
    re_path(
        r"^v1/(?P<service>[a-z]+\.[A-Za-z]+Service)/(?P<method>[A-Za-z]+)$",
        views.rpc,
        name="rpc",
    ),
    path("v1/kaggle/uploads/<str:token>", views.upload, name="upload"),
    path("v1/kaggle/competitions/<slug:slug>/files/<str:name>", views.data_file, name="data_file"),
    path("v1/kaggle/competitions/<slug:slug>/files.zip", views.data_archive, name="data_archive"),
]
