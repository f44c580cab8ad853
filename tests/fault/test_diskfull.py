"""A full disk (a small tmpfs this test mounts; skipped where it may not).

1. The aggregator's store on a full disk: batches fail and are NACKed
   retryably, the log names the full disk and the store (it used to say
   "Input/output error"), nothing is acked that is not stored. Given room
   (the tmpfs remounted larger), every report is stored exactly once and
   `verify` agrees.
2. A collector's outbox on a full disk: `submit` refuses with exit 1,
   naming the full disk, and queues nothing (a later submit with room
   queues from the same seq)."""

import os

import lnobtest
from lnobtest import wait_until

N = 2000


class DiskFullTest(lnobtest.NetTestCase):

    def mount(self, name, size):
        return lnobtest.mount_tmpfs(self, self.net, name, size)

    def resize(self, path, size):
        lnobtest.resize_tmpfs(path, size)

    def move_data_dir(self, node, data_dir):
        lnobtest.move_data_dir(node, data_dir)

    def log(self, d):
        with open(d.log_path, errors="replace") as f:
            return f.read()

    def test_aggregator_store_on_a_full_disk(self):
        net = self.net
        agg = net.add_aggregator()
        mnt = self.mount("aggdisk", "600k")
        self.move_data_dir(agg, os.path.join(mnt, "agg"))
        coll = net.add_collector("c11-office", "C11")
        path = net.path("r.csv")
        lnobtest.write_reports_csv(path, [{"unit": "C11", "revision": r + 1,
                                           "values": {"households_total": r},
                                           "narrative": "x" * 400} for r in range(N)])
        coll.submit(path)
        agg.start()
        coll.start()
        want = "writes fail: the disk holding %s is full" % agg.data_dir
        wait_until(lambda: want in self.log(agg.daemon), 60, "the full disk named", net)
        self.assertNotIn("Input/output error", self.log(agg.daemon))
        self.assertGreater(coll.status()["queued"], 0)   # what is not stored stays queued
        self.resize(mnt, "64m")
        agg.wait_status(lambda s, k: s["envelopes"] == N, "everything stored", timeout=120)
        coll.wait_drained()
        r = agg.verify()
        self.assertEqual(r.returncode, 0, r.out + r.err)

    def test_collector_outbox_on_a_full_disk(self):
        net = self.net
        net.add_aggregator()
        coll = net.add_collector("c11-office", "C11")
        mnt = self.mount("coldisk", "300k")
        self.move_data_dir(coll, os.path.join(mnt, "col"))
        path = net.path("r.csv")
        lnobtest.write_reports_csv(path, [{"unit": "C11", "revision": r + 1,
                                           "values": {"households_total": r},
                                           "narrative": "y" * 400} for r in range(N)])
        r = net.cli(coll.cmd("submit", "-c", coll.conf, path), ok=False)
        self.assertEqual(r.returncode, 1, r.out + r.err)
        self.assertIn("the disk holding %s is full" % coll.data_dir, r.err)
        self.assertIn("nothing queued", r.err)
        self.resize(mnt, "64m")
        self.assertIn("queued %d reports as seq 1..%d" % (N, N), coll.submit(path).out)


if __name__ == "__main__":
    lnobtest.main()
