#ifndef PORTERO_CLINUX_SHIM_H
#define PORTERO_CLINUX_SHIM_H
/*
 * Kernel and libc headers the hardware layer needs. The ioctl request numbers are
 * function-like macros (_IOR, _IOW, ...) that Swift cannot import, so each one is
 * re-exported here as a constant or, where it takes a length, as an inline function.
 * openpty lives in libc since glibc 2.34 (Debian 12 ships 2.36), so nothing is linked.
 */
#include <errno.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <pty.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <termios.h>
#include <unistd.h>
#include <linux/gpio.h>
#include <linux/input.h>
#include <linux/serial.h>
#include <linux/uinput.h>

/* evdev (linux/input.h) */
static const unsigned long portero_EVIOCGVERSION = EVIOCGVERSION;
static const unsigned long portero_EVIOCGID = EVIOCGID;
static const unsigned long portero_EVIOCGRAB = EVIOCGRAB;
/// EVIOCGNAME(len): the device name into a buffer of `len` bytes.
static inline unsigned long portero_EVIOCGNAME(unsigned int len) { return EVIOCGNAME(len); }
/// EVIOCGPHYS(len): the physical path into a buffer of `len` bytes.
static inline unsigned long portero_EVIOCGPHYS(unsigned int len) { return EVIOCGPHYS(len); }
/// EVIOCGBIT(ev, len): the event-code bitmap of event type `ev`.
static inline unsigned long portero_EVIOCGBIT(unsigned int ev, unsigned int len) { return EVIOCGBIT(ev, len); }

/* uinput (linux/uinput.h): synthetic input devices for simulated wedge readers and tests */
static const unsigned long portero_UI_DEV_CREATE = UI_DEV_CREATE;
static const unsigned long portero_UI_DEV_DESTROY = UI_DEV_DESTROY;
static const unsigned long portero_UI_DEV_SETUP = UI_DEV_SETUP;
static const unsigned long portero_UI_SET_EVBIT = UI_SET_EVBIT;
static const unsigned long portero_UI_SET_KEYBIT = UI_SET_KEYBIT;
/// UI_GET_SYSNAME(len): the created device's name under /sys/devices/virtual/input.
static inline unsigned long portero_UI_GET_SYSNAME(unsigned int len) { return UI_GET_SYSNAME(len); }

/* RS-485 (linux/serial.h) flag bits are shifts; re-exported as plain values. */
static const unsigned int portero_SER_RS485_ENABLED = SER_RS485_ENABLED;
static const unsigned int portero_SER_RS485_RTS_ON_SEND = SER_RS485_RTS_ON_SEND;
static const unsigned int portero_SER_RS485_RTS_AFTER_SEND = SER_RS485_RTS_AFTER_SEND;

/* GPIO character device, uAPI v1 (linux/gpio.h), which libgpiod 1.6 uses. */
static const unsigned long portero_GPIO_GET_CHIPINFO_IOCTL = GPIO_GET_CHIPINFO_IOCTL;
static const unsigned long portero_GPIO_GET_LINEINFO_IOCTL = GPIO_GET_LINEINFO_IOCTL;
static const unsigned long portero_GPIO_GET_LINEHANDLE_IOCTL = GPIO_GET_LINEHANDLE_IOCTL;
static const unsigned long portero_GPIO_GET_LINEEVENT_IOCTL = GPIO_GET_LINEEVENT_IOCTL;
static const unsigned long portero_GPIOHANDLE_GET_LINE_VALUES_IOCTL = GPIOHANDLE_GET_LINE_VALUES_IOCTL;
static const unsigned long portero_GPIOHANDLE_SET_LINE_VALUES_IOCTL = GPIOHANDLE_SET_LINE_VALUES_IOCTL;

/* Serial lines (termios, linux/serial.h) */
static const unsigned long portero_TIOCGRS485 = TIOCGRS485;
static const unsigned long portero_TIOCSRS485 = TIOCSRS485;
static const unsigned long portero_TIOCEXCL = TIOCEXCL;
static const unsigned long portero_TIOCNXCL = TIOCNXCL;
static const unsigned long portero_TIOCGEXCL = TIOCGEXCL;
static const unsigned long portero_FIONREAD = FIONREAD;
static const unsigned long portero_TIOCMGET = TIOCMGET;
static const unsigned long portero_TIOCMSET = TIOCMSET;

/// ioctl(2) is variadic in C; these fixed-signature wrappers are what Swift calls.
static inline int portero_ioctl_ptr(int fd, unsigned long request, void *arg) {
    return ioctl(fd, request, arg);
}
static inline int portero_ioctl_int(int fd, unsigned long request, int arg) {
    return ioctl(fd, request, arg);
}
/// open(2) with an explicit mode (variadic in C).
static inline int portero_open(const char *path, int flags, mode_t mode) {
    return open(path, flags, mode);
}
/// fcntl(2) F_GETFL / F_SETFL (variadic in C).
static inline int portero_fcntl_getfl(int fd) { return fcntl(fd, F_GETFL); }
static inline int portero_fcntl_setfl(int fd, int flags) { return fcntl(fd, F_SETFL, flags); }
/* accept4 is declared by <sys/socket.h> only under _GNU_SOURCE, and defining that here would give
   this module other struct layouts than the other C modules see (fd_set), so it is declared by hand. */
extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
/// accept4(2) with SOCK_NONBLOCK | SOCK_CLOEXEC: the new descriptor never leaks into children.
static inline int portero_accept(int fd) { return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC); }
/// The same, returning the peer's address.
static inline int portero_accept_peer(int fd, struct sockaddr *address, socklen_t *length) {
    return accept4(fd, address, length, SOCK_NONBLOCK | SOCK_CLOEXEC);
}
/* struct ucred is declared by <sys/socket.h> only under _GNU_SOURCE too (see accept4 above); this is
   its layout (unix(7)), for getsockopt(SO_PEERCRED). */
struct portero_ucred {
    pid_t pid;
    uid_t uid;
    gid_t gid;
};
/// getsockopt(2) SO_PEERCRED: the credentials the kernel recorded for a Unix socket's peer at connect.
static inline int portero_peer_credentials(int fd, struct portero_ucred *credentials) {
    socklen_t length = sizeof *credentials;
    return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, credentials, &length);
}
/* epoll: struct epoll_event is packed on x86-64, which Swift cannot lay out, so the calls go
   through these wrappers that take and return plain values. */
static const unsigned int portero_EPOLLIN = EPOLLIN;
static const unsigned int portero_EPOLLOUT = EPOLLOUT;
static const unsigned int portero_EPOLLERR = EPOLLERR;
static const unsigned int portero_EPOLLHUP = EPOLLHUP;
static const unsigned int portero_EPOLLONESHOT = EPOLLONESHOT;
static const unsigned int portero_EPOLLET = EPOLLET;
/// epoll_ctl(2) with the descriptor itself as the event's data.
static inline int portero_epoll_ctl(int epfd, int op, int fd, unsigned int events) {
    struct epoll_event event;
    event.events = events;
    event.data.u64 = 0;
    event.data.fd = fd;
    return epoll_ctl(epfd, op, fd, &event);
}
/// epoll_wait(2) into two plain arrays (descriptors and event bits) of `capacity` entries (at most 512).
static inline int portero_epoll_wait(int epfd, int *fds, unsigned int *events, int capacity, int timeout) {
    struct epoll_event ready[512];
    if (capacity > 512) capacity = 512;
    int count = epoll_wait(epfd, ready, capacity, timeout);
    for (int i = 0; i < count; i++) {
        fds[i] = ready[i].data.fd;
        events[i] = ready[i].events;
    }
    return count;
}
/* io_uring (linux/io_uring.h), for reading many requests, or writing many answers, in one system call. No liburing: the
   two system calls, the submission entry and the ring's shared counters are wrapped here. */
#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/syscall.h>
static inline int portero_io_uring_setup(unsigned int entries, struct io_uring_params *params) {
    return (int)syscall(__NR_io_uring_setup, entries, params);
}
static inline int portero_io_uring_enter(int fd, unsigned int submit, unsigned int complete, unsigned int flags) {
    return (int)syscall(__NR_io_uring_enter, fd, submit, complete, flags, NULL, 0);
}
static const unsigned int portero_IORING_ENTER_GETEVENTS = IORING_ENTER_GETEVENTS;
static const unsigned int portero_IORING_FEAT_SINGLE_MMAP = IORING_FEAT_SINGLE_MMAP;
static const unsigned long long portero_IORING_OFF_SQ_RING = IORING_OFF_SQ_RING;
static const unsigned long long portero_IORING_OFF_CQ_RING = IORING_OFF_CQ_RING;
static const unsigned long long portero_IORING_OFF_SQES = IORING_OFF_SQES;
static const unsigned char portero_IORING_OP_SEND = IORING_OP_SEND;
static const unsigned char portero_IORING_OP_RECV = IORING_OP_RECV;
/// A send(2) or recv(2) (`opcode`) of `length` bytes at `bytes` on `fd`, as submission entry `sqe`.
static inline void portero_io_uring_prep_transfer(struct io_uring_sqe *sqe, unsigned char opcode, int fd, const void *bytes,
                                                  unsigned int length, int flags, unsigned long long user_data) {
    __builtin_memset(sqe, 0, sizeof(*sqe));
    sqe->opcode = opcode;
    sqe->fd = fd;
    sqe->addr = (unsigned long long)(unsigned long)bytes;
    sqe->len = length;
    sqe->msg_flags = (unsigned int)flags;
    sqe->user_data = user_data;
}
/// The ring's head and tail counters are shared with the kernel: read with acquire, written with release.
static inline unsigned int portero_load_acquire(const unsigned int *counter) { return __atomic_load_n(counter, __ATOMIC_ACQUIRE); }
static inline void portero_store_release(unsigned int *counter, unsigned int value) { __atomic_store_n(counter, value, __ATOMIC_RELEASE); }

/// errno is a macro over a thread-local location in glibc.
static inline int portero_errno(void) { return errno; }
#endif
