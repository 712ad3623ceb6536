from django.apps import AppConfig


class DemoConfig(AppConfig):
    # No models and no pages: the app only carries the demo data and the demo, serve and createadmin commands.
    name = "tessera.demo"
    verbose_name = "Demo"
