"""OpenAPI description of the personal-token authentication (drf-spectacular)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "duijie.accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A personal API token (created at /accounts/tokens/), sent as "Token <key>" or '
                           '"Bearer <key>".',
        }


class BasicScheme(OpenApiAuthenticationExtension):
    target_class = "duijie.accounts.authentication.BasicAuthentication"
    name = "basicAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "basic",
                "description": "Only where the deployment enables it (DUIJIE_API_BASIC_AUTH); never for accounts "
                               "that need a second factor; failures are throttled."}
