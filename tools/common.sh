# SPDX-License-Identifier: GPL-2.0
# Sourced by check.sh and demo.sh: dependencies, the test bed's helper
# binary, and which Debian 6.1 kernel the stock-kernel runs boot.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$root/build
cd "$root"
"$root/tools/deps.sh"
mkdir -p "$build"
make -s -C tools/testbed
LNAT_STOCK_KVER=$(ls /boot/vmlinuz-6.1.* | sed 's|.*/vmlinuz-||' | sort -V | tail -1)
# The newest Debian kernel the tree is built for and booted on (backports).
LNAT_NEW_KVER=$(ls /boot/vmlinuz-6.12.* | sed 's|.*/vmlinuz-||' | sort -V | tail -1)
export LNAT_STOCK_KVER LNAT_NEW_KVER

# figures LOG: the "# figure: NAME VALUE" lines of a stress run as a table.
figures() {
	awk '$1 == "#" && $2 == "figure:" {
		if (!n++) printf "%-28s %s\n%-28s %s\n", "figure", "value",
			"----------------------------", "------------"
		printf "%-28s %s\n", $3, $4 }' "$1"
}
