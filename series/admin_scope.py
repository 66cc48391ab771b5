"""Admin limited to the series each organiser organises (series/access.py decides who).

A series manager belongs to no group, so Django's model permissions give them nothing: these
mixins grant them what the Organisers group may do (`manager_permissions`), and only on rows
of their series. Superusers and members of the Organisers group keep their own permissions
and see every row.

- `SeriesScopedAdmin`: a model that belongs to series (`series_paths`, the lookups from the
  model to its Series). Lists, change, delete and history pages, actions (admin filters the
  selected ids through `get_queryset`), autocomplete answers and list filters hold only rows of
  organised series; a URL to any other row answers as for a missing one. Foreign keys to a
  scoped model offer only its organised rows.
- `ScopedInline`: an inline on such a model's page (the page itself is scoped).
- `SharedAcrossSeriesAdmin`: people and organisations several series may share (speakers,
  partner organisations): every organiser may see and add them, but a manager changes or
  deletes only those that appear in their series and in no other.
"""

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth import get_permission_codename
from django.utils.translation import gettext_lazy as _

from series.access import manager_permissions, organised_series, organises_all_series, series_q

NOT_YOURS = _("Choose from the series you organise.")


def related_scope(admin_site, model, request):
    """The filter on `model`'s rows this user may choose, or None when nothing limits them."""
    if organises_all_series(request.user):
        return None
    try:
        related_admin = admin_site.get_model_admin(model)
    except admin.sites.NotRegistered:
        return None
    scope = getattr(related_admin, "scope_q", None)
    return scope(request) if scope else None


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A list filter on a related series or webinar that names only organised ones."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        scope = related_scope(model_admin.admin_site, field.related_model, request)
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to=scope)


class ManagerAbilities:
    """What a manager may do with this admin's model: what the Organisers group may do."""

    def manager_may(self, request, *actions: str) -> bool:
        granted = manager_permissions(request.user)
        opts = self.opts
        return any(
            f"{opts.app_label}.{get_permission_codename(action, opts)}" in granted
            for action in actions
        )

    def has_module_permission(self, request):
        granted = manager_permissions(request.user)
        app = f"{self.opts.app_label}."
        return super().has_module_permission(request) or any(p.startswith(app) for p in granted)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = related_scope(self.admin_site, db_field.related_model, request)
        if scope is not None and "queryset" not in kwargs:
            choices = self.get_field_queryset(kwargs.get("using"), db_field, request)
            if choices is None:
                choices = db_field.related_model._default_manager.all()
            kwargs["queryset"] = choices.filter(scope)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and scope is not None:
            field.error_messages["invalid_choice"] = NOT_YOURS
        return field


class SeriesScopedAdmin(ManagerAbilities):
    """Rows of organised series only; managers may do there what the Organisers group may."""

    # The lookups from the model to its Series ("" for Series itself); a row passes when any
    # of them leads to a series the user organises.
    series_paths: tuple[str, ...] = ("series",)

    def scope_q(self, request):
        return series_q(request.user, *self.series_paths)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(self.scope_q(request))

    def in_scope(self, request, obj) -> bool:
        """Whether `obj` (a row of this admin's model) belongs to an organised series."""
        if obj is None or organises_all_series(request.user):
            return True
        # Asked several times for one page: remembered on the object for this user.
        known = getattr(obj, "_in_scope_for", None)
        if known is None or known[0] != request.user.pk:
            rows = self.model._default_manager.filter(self.scope_q(request), pk=obj.pk)
            known = (request.user.pk, rows.exists())
            obj._in_scope_for = known
        return known[1]

    def get_list_filter(self, request):
        # A filter on a related series or webinar lists only those the user may open.
        filters = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str):
                field = get_fields_from_path(self.model, entry)[-1]
                if field.is_relation and not field.auto_created:
                    entry = (entry, ScopedRelatedFilter)
            filters.append(entry)
        return filters

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj) or self.manager_may(
            request, "view", "change"
        )
        return allowed and self.in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj) or self.manager_may(request, "change")
        return allowed and self.in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj) or self.manager_may(request, "delete")
        return allowed and self.in_scope(request, obj)

    def has_add_permission(self, request):
        return super().has_add_permission(request) or self.manager_may(request, "add")


class ScopedInline(ManagerAbilities):
    """An inline on a scoped page: its rows are the page's own, so only the abilities differ."""

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self.manager_may(
            request, "view", "change"
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or self.manager_may(request, "change")

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) or self.manager_may(request, "delete")

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) or self.manager_may(request, "add")


class SharedAcrossSeriesAdmin(ManagerAbilities):
    """Speakers and organisations: one person or body may appear in several teams' series.

    Every organiser sees them all (they are public on the series' pages) and may add one; a
    manager changes or deletes only one that appears in their series and in no other, so one
    team never rewrites what another team's pages show.
    """

    # The lookups from the model to the series it appears in.
    appears_in: tuple[str, ...] = ()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self.manager_may(
            request, "view", "change"
        )

    def has_add_permission(self, request):
        return super().has_add_permission(request) or self.manager_may(request, "add")

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj) or self.manager_may(request, "change")
        return allowed and self.only_in_organised_series(request, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj) or self.manager_may(request, "delete")
        return allowed and self.only_in_organised_series(request, obj)

    def only_in_organised_series(self, request, obj) -> bool:
        if obj is None or organises_all_series(request.user):
            return True
        rows = self.model._default_manager.filter(pk=obj.pk)
        found = set()
        for path in self.appears_in:
            found.update(rows.values_list(path, flat=True))
        mine = set(organised_series(request.user).values_list("pk", flat=True))
        # None: a webinar without a series, or (alone) not used yet; both are the all-series
        # organisers' to change.
        return bool(found) and found <= mine
