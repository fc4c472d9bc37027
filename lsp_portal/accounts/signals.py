"""Forget a user's cached role names when their groups change (User.role_names)."""

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models.signals import m2m_changed, pre_delete
from django.dispatch import receiver

from .models import User, roles_cache_key


def _forget(user_ids):
    cache.delete_many([roles_cache_key(pk) for pk in user_ids])


@receiver(m2m_changed, sender=User.groups.through)
def groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear", "post_clear"):
        return
    if not reverse:  # user.groups.add/remove/set/clear
        _forget([instance.pk])
    elif action == "pre_clear":  # group.user_set.clear(): its users, before they are gone
        _forget(instance.user_set.values_list("pk", flat=True))
    elif pk_set:  # group.user_set.add/remove
        _forget(pk_set)


@receiver(pre_delete, sender=Group)
def group_deleted(sender, instance, **kwargs):
    _forget(instance.user_set.values_list("pk", flat=True))
