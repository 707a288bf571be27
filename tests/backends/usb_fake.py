"""Runs the shared fake USB printer (/work/shared/usbmock, see its README) for the usb
backend tests, optionally one that is unplugged after a number of bytes:
    umockdev-wrapper python3 usb_fake.py OUT.bin -- COMMAND...
FAKEUSB_UNPLUG_AFTER=N makes every URB submitted once N bytes have arrived fail with
ENODEV, which is what usbdevfs answers for a device that has gone away."""

import os
import sys

USBMOCK_DIR = os.environ.get("QUIRE_USBMOCK_DIR", "/work/shared/usbmock")
sys.path.insert(0, USBMOCK_DIR)

import fake_usb_printer as fake  # noqa: E402

ENODEV = 19


class UnpluggingPrinter(fake.Printer):
    def __init__(self, outfile):
        super().__init__(outfile)
        self.unplug_after = int(os.environ.get("FAKEUSB_UNPLUG_AFTER", "0"))

    def do_handle_ioctl(self, client):
        nr = client.get_request() & 0xff
        if self.unplug_after and self.bytes >= self.unplug_after and nr == fake.NR["SUBMITURB"]:
            client.complete(-1, ENODEV)
            return True
        return super().do_handle_ioctl(client)


if __name__ == "__main__":
    fake.Printer = UnpluggingPrinter
    fake.main()
