#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# The file changes under a request: truncated to 0 while its body is sent
# (64 MiB on ext4, 16 MiB on the debug, trixie and sid lanes), the
# connection is aborted, the client never gets bytes the file does not
# hold (no zero padding), and the response is counted in resp_torn.

import os
import socket
import sys

from zch_lib import (KSFT_SKIP, Ext4, load_module, log_test, scale, stat,
                     summary, unload_module, zcctl)

PORT = 8170
BIG = scale(64, 16, 16) << 20


def stat_or_none(name, port):
    try:
        return stat(name, port)
    except KeyError:
        return None


def truncated_mid_body():
    fs = Ext4()
    try:
        www = os.path.join(fs.mnt, "www")
        os.mkdir(www, 0o755)
        path = os.path.join(www, "big.bin")
        data = os.urandom(BIG)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o644)
        zcctl("root", "add", www, "port", PORT + 1)

        s = socket.create_connection(("127.0.0.1", PORT + 1), timeout=30)
        s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        buf = b""
        while b"\r\n\r\n" not in buf:
            buf += s.recv(65536)
        head, _, body = buf.partition(b"\r\n\r\n")
        chunks = [body]
        got = len(body)
        while got < (1 << 20):
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
            got += len(b)
        # the server has filled the socket buffers by now, or soon will;
        # what it queues after this point is no longer in the file
        os.truncate(path, 0)
        end = "EOF"
        try:
            while True:
                b = s.recv(1 << 20)
                if not b:
                    break
                chunks.append(b)
                got += len(b)
        except ConnectionResetError:
            end = "reset"
        except socket.timeout:
            end = "timeout"
        s.close()
        body = b"".join(chunks)
        ok = b"Content-Length: %d" % BIG in head and got < BIG and \
            body == data[:got] and end != "timeout"
        log_test("%d MiB truncated to 0 after 1 MiB: aborted, no padding" %
                 (BIG >> 20),
                 ok, "%d of %d bytes, %s, prefix %s" %
                 (got, BIG, end, "intact" if body == data[:got] else
                  "NOT the file's bytes"))
        torn = stat_or_none("resp_torn", PORT + 1)
        log_test("the torn response is counted (resp_torn)", torn == 1,
                 "resp_torn %s" % torn)
        zcctl("root", "del", PORT + 1)
    finally:
        fs.close()


def main():
    if not load_module():
        return KSFT_SKIP
    www = "/tmp/zchttp-filechange"
    os.makedirs(www, exist_ok=True)
    zcctl("root", "add", www, "port", PORT)
    try:
        truncated_mid_body()
    finally:
        unload_module(PORT)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
