from django.urls import path

from sso import views

# Outside the language prefixes: the callback is one address registered at the provider.
urlpatterns = [
    path("authenticate/", views.sign_in, name="oidc_authentication_init"),
    path("callback/", views.callback, name="oidc_authentication_callback"),
]
