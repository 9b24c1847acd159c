"""/api/docs/: Swagger UI from drf-spectacular-sidecar's static files, its start script a
file of its own (the split view), so the page runs under the production CSP unchanged."""

from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocs(SpectacularSwaggerSplitView):
    # drf-spectacular's template carries an inline <style>, which the CSP refuses; ours
    # links the same rules as a static file (templates/api/swagger_ui.html).
    template_name = "api/swagger_ui.html"
    title = "Newsroom Explainers API"
