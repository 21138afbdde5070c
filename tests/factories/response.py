"""Builders for response levels: the real Taiwan CWA heavy-rain chain, in order."""

from __future__ import annotations

from datetime import datetime

CWA_CHAIN = [
    ("taiwan_cwa_heavy_rain_1_alert_zh-TW_2024-04-22T1412.xml", "2024-04-22T14:12:12+08:00"),
    ("taiwan_cwa_heavy_rain_2_update_zh-TW_2024-04-22T1457.xml", "2024-04-22T14:57:47+08:00"),
    ("taiwan_cwa_heavy_rain_3_update_zh-TW_2024-04-22T1712.xml", "2024-04-22T17:12:20+08:00"),
    ("taiwan_cwa_heavy_rain_4_cancel_zh-TW_2024-04-22T2113.xml", "2024-04-22T21:13:27+08:00"),
]
"""The CWA Alert → Update → Update → Cancel files and each message's ``<sent>``."""

FENGLIN = "1001502"
"""鳳林鎮, Hualien: named in the Alert and both Updates."""


def sent_at(text: str) -> datetime:
    """A message's ``<sent>`` as an aware datetime."""
    return datetime.fromisoformat(text)
