# Sourced by the image builders (scripts/openzfs-image, scripts/mariadb-images).
#
# unmount_under DIR: lazily unmounts every mount at or below DIR, deepest first. A debootstrap killed part-way leaves
# its own mounts in the root it was building (/proc, /sys; in an LXC container binds of /dev/pts and /dev/shm), and
# removing that root afterwards would reach through them into the host's.
unmount_under() {
  local dir m
  dir=$(readlink -f "$1") || return 0
  awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
}

# remove_build DIR: unmount_under DIR, then `rm -rf --one-file-system`, which never crosses into a mount that missed.
remove_build() {
  unmount_under "$1"
  rm -rf --one-file-system "$1"
}
