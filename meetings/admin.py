"""The meeting on the webinar's admin page: the provider's choices, its state, "Start as host",
host links for the speakers, and the list action "Create meeting rooms now"."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from meetings import services, views
from meetings.models import MeetingJob, MeetingRegistrant, MeetingRoom
from meetings.registry import offered_choices, provider_for
from meetings.remote import ProviderError
from webinars.formatting import absolute_url, in_zone
from webinars.models import MeetingProvider, Registration, Webinar

# webinars registers the webinar's admin and afterwards extends it (INSTALLED_APPS order puts
# this app after both): this one extends whatever is registered, importing neither.
_Base = type(admin.site.get_model_admin(Webinar))


class WebinarWithMeetingAdmin(_Base):
    actions = [*_Base.actions, "create_rooms"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "meeting_state"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = list(options.get("fields", []))
            if "meeting_provider" in fields and "meeting_state" not in fields:
                fields.insert(fields.index("meeting_provider") + 1, "meeting_state")
            fieldsets.append((name, {**options, "fields": fields}))
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "meeting_provider" not in form.base_fields:
            return form

        class MeetingForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                field = self.fields["meeting_provider"]
                field.choices = offered_choices(self.instance.meeting_provider)
                # A form posted without the choice (a script, an older page) keeps the
                # webinar's.
                field.required = False

            def clean_meeting_provider(self):
                chosen = self.cleaned_data.get("meeting_provider")
                return chosen or self.instance.meeting_provider or MeetingProvider.MANUAL

        return MeetingForm

    def get_urls(self):
        start = path(
            "<int:pk>/meeting-host/",
            self.admin_site.admin_view(self.start_as_host_view),
            name="webinars_webinar_meeting_host",
        )
        return [start, *super().get_urls()]

    def start_as_host_view(self, request, pk):
        """Into the room as a host (moderator), under the organiser's own name."""
        webinar = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, webinar):
            raise PermissionDenied
        name = request.user.get_full_name() or request.user.get_username()
        try:
            url = services.host_join_url(webinar, name=name, key=f"user:{request.user.pk}")
        except services.MeetingUnavailable as error:
            self.message_user(
                request,
                _("The meeting room could not be opened: %(error)s") % {"error": error},
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:webinars_webinar_change", args=[pk]))
        return HttpResponseRedirect(url)

    @admin.display(description=_("meeting room"))
    def meeting_state(self, obj):
        if obj is None or not obj.pk or not services.uses_provider(obj):
            return _("None: registrants get the join link typed below.")
        room = MeetingRoom.objects.filter(webinar=obj).first()
        jobs = list(MeetingJob.objects.filter(webinar=obj))

        def when(moment):
            return in_zone(moment, obj.tz) if moment else _("not yet")

        rows = [
            (_("Room created"), when(room and room.created_at)),
            (_("Meeting ended"), when(room and room.ended_at)),
            (_("Last callback"), when(room and room.last_callback_at)),
            (_("Attendance received"), when(room and room.attendance_received_at)),
            (_("Recording received"), when(room and room.recording_received_at)),
        ]
        provider = provider_for(obj.meeting_provider)
        if provider is not None and provider.registers_people:
            added = MeetingRegistrant.objects.filter(
                registration__webinar=obj,
                registration__status=Registration.Status.CONFIRMED,
                room_id=room.room_id if room else "",
                cancelled_at__isnull=True,
            ).count()
            confirmed = obj.registrations.filter(status=Registration.Status.CONFIRMED).count()
            rows.append(
                (
                    _("Registered with the service"),
                    _("%(added)d of %(confirmed)d confirmed registrants")
                    % {"added": added, "confirmed": confirmed},
                )
            )
        if room and room.last_error:
            rows.append(
                (_("Last error"), f"{when(room.last_error_at)}: {room.last_error}"),
            )
        for job in jobs:
            state = (
                _("given up")
                if job.failed
                else _("next try %(when)s") % {"when": when(job.next_attempt_at)}
            )
            rows.append((job.get_action_display(), f"{state} ({job.last_error or '-'})"))
        table = format_html_join("", "<tr><th scope='row'>{}</th><td>{}</td></tr>", rows)
        start = reverse("admin:webinars_webinar_meeting_host", args=[obj.pk])
        return format_html(
            '<table class="meeting-state">{}</table><p><a class="button" href="{}" '
            'target="_blank" rel="noopener">{}</a></p>{}',
            table,
            start,
            _("Start as host"),
            self._host_links(obj),
        )

    def _host_links(self, webinar):
        hosts = [*webinar.speakers, *webinar.moderators]
        if not hosts:
            return ""
        items = format_html_join(
            "",
            '<li><span class="host-name">{}</span> <code class="select-all">{}</code></li>',
            (
                (
                    ws.speaker.name,
                    webinar_host_url(webinar, ws.speaker.name, f"speaker:{ws.speaker_id}"),
                )
                for ws in hosts
            ),
        )
        return format_html(
            '<p>{}</p><ul class="host-links">{}</ul>',
            _(
                "Host links for the speakers and moderators: each leads its holder into the "
                "room as a host from the join window on. Send each person their own, privately."
            ),
            items,
        )

    @admin.action(description=_("Create meeting rooms now"), permissions=["change"])
    def create_rooms(self, request, queryset):
        made, failed = 0, []
        now = timezone.now()
        for webinar in queryset.order_by("start", "pk"):
            if not services.uses_provider(webinar):
                continue
            try:
                services.room_ready(webinar, now)
                made += 1
            except ProviderError as error:
                failed.append(f"{webinar.title}: {error}")
        if made:
            self.message_user(
                request,
                ngettext(
                    "%(count)d meeting room is ready.", "%(count)d meeting rooms are ready.", made
                )
                % {"count": made},
                messages.SUCCESS,
            )
        for line in failed:
            self.message_user(
                request, _("Not created: %(error)s") % {"error": line}, messages.ERROR
            )
        if not made and not failed:
            self.message_user(
                request,
                _("None of these webinars uses a meeting service."),
                messages.WARNING,
            )


def webinar_host_url(webinar: Webinar, name: str, key: str) -> str:
    token = views.host_link_token(webinar, name=name, key=key)
    return absolute_url(reverse("meetings_host:host", kwargs={"token": token}))


admin.site.unregister(Webinar)
admin.site.register(Webinar, WebinarWithMeetingAdmin)
