from django.contrib.auth import views as auth_views
from django.urls import include, path
from op_project.setup_op import apply_view

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("openid/", include("oidc_provider.urls", namespace="oidc_provider")),
    # The deployment's own admin hook for the tests (like an IdP's admin API), secret-guarded.
    path("test-admin/apply", apply_view),
]
