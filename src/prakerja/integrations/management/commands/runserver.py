"""``prakerja runserver``: Django's (with static files), keeping the partner API's headers."""

from django.contrib.staticfiles.management.commands.runserver import Command as StaticFilesRunserver

from prakerja.integrations.devserver import PartnerWSGIServer


class Command(StaticFilesRunserver):
    server_cls = PartnerWSGIServer
