"""core.http.service_messages: a service's refusal becomes the user's error messages, not a 500."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from duijie.core.http import service_messages


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _texts(request):
    return [(m.level_tag, str(m)) for m in get_messages(request)]


def test_success_message_when_the_service_succeeds():
    request = _request()
    with service_messages(request, "完成") as outcome:
        pass
    assert outcome.ok and _texts(request) == [("success", "完成")]


def test_each_validation_message_is_an_error_and_nothing_propagates():
    request = _request()
    with service_messages(request, "完成") as outcome:
        raise ValidationError({"year": ["年份须为四位数字"], "end": ["结束日期早于开始日期"]})
    assert not outcome.ok
    assert _texts(request) == [("error", "年份须为四位数字"), ("error", "结束日期早于开始日期")]


def test_only_the_named_refusals_are_caught():
    request = _request()
    with pytest.raises(PermissionDenied):
        with service_messages(request, "完成"):
            raise PermissionDenied("无权操作")
    with service_messages(request, "完成", refusals=(ValidationError, PermissionDenied)) as outcome:
        raise PermissionDenied("无权操作")
    assert not outcome.ok and _texts(request) == [("error", "无权操作")]
    with pytest.raises(KeyError):  # a bug is never shown as a refusal
        with service_messages(request, "完成", refusals=(ValidationError, PermissionDenied)):
            raise KeyError("x")
