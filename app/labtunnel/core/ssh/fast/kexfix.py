"""A workaround for paramiko#822: a channel closed during a re-key kills the session."""

from __future__ import annotations

import threading

import paramiko
from paramiko.common import MSG_NEWKEYS


def defer_transport_thread_messages_during_kex(transport: paramiko.Transport) -> None:
    """Work around paramiko#822: a channel closed during a re-key kills the session.

    When the server closes a channel (or asks for a channel reply) just after
    we started a key exchange, paramiko's transport thread answers with
    ``_send_user_message``, which waits for the key exchange to finish, which
    only that same thread can do: 30 s later paramiko gives up and drops the
    whole session. paramiko re-keys every 512 MiB, and a browser opens and
    closes connections all the time, so this does happen. Here such messages
    from the transport thread are queued instead (the protocol forbids sending
    them mid-exchange anyway) and sent as soon as the new keys are in use.
    ``_handler_table`` is meant for per-instance changes (paramiko says so).
    """
    send_user_message = getattr(transport, "_send_user_message", None)
    handlers = getattr(transport, "_handler_table", None)
    send_message = getattr(transport, "_send_message", None)
    if not (
        callable(send_user_message)
        and callable(send_message)
        and isinstance(handlers, dict)
        and callable(handlers.get(MSG_NEWKEYS))
    ):
        return
    parse_newkeys = handlers[MSG_NEWKEYS]
    deferred: list[paramiko.Message] = []

    def send_or_defer(data: paramiko.Message) -> None:
        if threading.current_thread() is transport and (
            deferred or not transport.clear_to_send.is_set()
        ):
            deferred.append(data)
            return
        send_user_message(data)

    def newkeys_then_flush(m: paramiko.Message) -> None:
        parse_newkeys(m)
        while deferred:
            with transport.clear_to_send_lock:
                if not transport.clear_to_send.is_set():
                    return  # yet another exchange started; its NEWKEYS sends the rest
                send_message(deferred.pop(0))

    transport._send_user_message = send_or_defer  # type: ignore[attr-defined]
    handlers[MSG_NEWKEYS] = newkeys_then_flush
