package io.unibench.deploy.libvirt;

import io.unibench.UnibenchException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;
import org.libvirt.Stream;

/**
 * One libvirt daemon (this host's or a server's) reached through its URI: the connection (one per URI and
 * process, opened on first use), unibench's storage pool there, and the transfers through it. Unikernel
 * images reach the server as volumes of that pool (uploaded once per content hash); serial consoles are
 * files in the same pool, so they can be read back from a client through a volume download.
 */
public final class LibvirtHost {
    /** The directory pool unibench keeps its kernels and console logs in, on every libvirt host. */
    public static final String POOL = "unibench";
    public static final String POOL_PATH = "/var/lib/libvirt/unibench";

    private static final Map<String, LibvirtHost> OPEN = new ConcurrentHashMap<>();
    private static boolean eventLoop;
    /** Held here for the life of the process: JNA frees a callback's native stub once it is collected. */
    private static final org.libvirt.ErrorCallback SILENT_ERRORS = new org.libvirt.ErrorCallback();

    private final LibvirtUri uri;
    private final Connect conn;
    private StoragePool pool;

    private LibvirtHost(LibvirtUri uri, Connect conn) {
        this.uri = uri;
        this.conn = conn;
    }

    /** The connection to {@code uri}, opened once per process; a one-line runtime failure if it cannot. */
    public static LibvirtHost connect(LibvirtUri uri) {
        LibvirtHost h = OPEN.get(uri.text());
        if (h != null) {
            return h;
        }
        synchronized (OPEN) {
            h = OPEN.get(uri.text());
            if (h == null) {
                Connect c;
                try {
                    // libvirt's default handler prints every error on stderr; unibench reports them itself
                    Connect.setErrorCallback(SILENT_ERRORS);
                    startEventLoop();
                    c = new Connect(uri.text(), false);
                } catch (LibvirtException e) {
                    throw new UnibenchException(cannotConnect(uri, message(e)), e);
                } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
                    throw new UnibenchException("cannot load libvirt's client library (libvirt0) for " + uri
                            + ": " + e.getMessage() + "; install it: apt-get install libvirt0", e);
                }
                h = new LibvirtHost(uri, c);
                OPEN.put(uri.text(), h);
            }
            return h;
        }
    }

    /**
     * libvirt's default event loop on a daemon thread, before the first connection: the remote transports
     * (libssh above all) wait on it for large replies and keep-alives; without it a capabilities call over
     * libssh never returns.
     */
    private static void startEventLoop() throws LibvirtException {
        if (eventLoop) {
            return;
        }
        org.libvirt.Library.initEventLoop();
        Thread t = new Thread(() -> {
            try {
                org.libvirt.Library.runEventLoop();
            } catch (LibvirtException | InterruptedException e) {
                // the process is ending
            }
        }, "unibench-libvirt-events");
        t.setDaemon(true);
        t.start();
        eventLoop = true;
    }

    /** What failed and what to try, for an unreachable daemon or a refused SSH key. */
    static String cannotConnect(LibvirtUri uri, String why) {
        String hint;
        String w = why.toLowerCase(java.util.Locale.ROOT);
        if (!uri.remote()) {
            hint = "start it: 'libvirtd -d' (or 'systemctl start libvirtd')";
        } else if (w.contains("permission denied") || w.contains("authentication") || w.contains("publickey")
                || w.contains("auth")) {
            hint = "the server refused the key: check that it is in " + (uri.user() == null ? "the user" : uri.user())
                    + "'s authorized_keys on " + uri.host() + " (keyfile= in the URI or --ssh-key)";
        } else if (w.contains("host key") || w.contains("known_hosts") || w.contains("verify")) {
            hint = "the server's host key is unknown or changed: add it to the known hosts (--ssh-known-hosts)";
        } else if (w.contains("refused") || w.contains("no route") || w.contains("timed out") || w.contains("resolve")
                || w.contains("unreachable") || w.contains("end of file") || w.contains("connect")) {
            hint = "check that " + uri.host() + " is up and its sshd (or libvirtd) listens"
                    + (uri.port() > 0 ? " on port " + uri.port() : "");
        } else {
            hint = "check the URI and that libvirtd runs on " + uri.host();
        }
        return "libvirt at " + uri + " not reachable: " + why + "; " + hint;
    }

    public LibvirtUri uri() {
        return uri;
    }

    public Connect connection() {
        return conn;
    }

    /** The server's host name as libvirt reports it. */
    public String hostName() {
        try {
            return conn.getHostName();
        } catch (LibvirtException e) {
            return uri.remote() ? uri.host() : "localhost";
        }
    }

    /** libvirt and QEMU versions on that host, e.g. {@code libvirt 9.0.0, QEMU 7.2.22}. */
    public String versions() {
        try {
            return "libvirt " + version(conn.getLibVersion()) + ", QEMU " + version(conn.getVersion());
        } catch (LibvirtException e) {
            return "unknown (" + message(e) + ")";
        }
    }

    static String version(long v) {
        return (v / 1_000_000) + "." + (v / 1000 % 1000) + "." + (v % 1000);
    }

    /** The host's capabilities XML (guests, machines, domain types). */
    public String capabilities() {
        try {
            return conn.getCapabilities();
        } catch (LibvirtException e) {
            throw new UnibenchException("libvirt at " + uri + ": cannot read capabilities: " + message(e), e);
        }
    }

    /** unibench's pool on that host, defined, built and started on first use. */
    public synchronized StoragePool pool() {
        if (pool != null) {
            return pool;
        }
        try {
            StoragePool p;
            try {
                p = conn.storagePoolLookupByName(POOL);
            } catch (LibvirtException notThere) {
                p = conn.storagePoolDefineXML("<pool type='dir'><name>" + POOL + "</name><target><path>" + POOL_PATH
                        + "</path></target></pool>", 0);
                p.build(0);
            }
            if (p.isActive() == 0) {
                p.create(0);
            }
            pool = p;
            return p;
        } catch (LibvirtException e) {
            throw new UnibenchException("libvirt at " + uri + ": cannot set up storage pool '" + POOL + "' ("
                    + POOL_PATH + "): " + message(e), e);
        }
    }

    /**
     * The path on the server of {@code image}, uploaded as volume {@code <prefix>-<sha256 prefix>.elf} unless a
     * volume with that content is already there.
     */
    public String ensureImage(String prefix, Path image) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(image);
        } catch (IOException e) {
            throw new UnibenchException("cannot read unikernel image " + image + ": " + e.getMessage(), e);
        }
        String name = prefix + "-" + sha256(bytes).substring(0, 16) + ".elf";
        StoragePool p = pool();
        synchronized (this) {
            try {
                try {
                    StorageVol v = p.storageVolLookupByName(name);
                    if (v.getInfo().capacity == bytes.length) {
                        return v.getPath();
                    }
                    v.delete(0);
                } catch (LibvirtException notThere) {
                    // upload it
                }
                StorageVol v = p.storageVolCreateXML("<volume><name>" + name + "</name><capacity unit='bytes'>"
                        + bytes.length + "</capacity><target><format type='raw'/><permissions><mode>0644</mode>"
                        + "</permissions></target></volume>", 0);
                Stream s = conn.streamNew(0);
                try {
                    v.upload(s, 0, bytes.length, 0);
                    for (int off = 0; off < bytes.length; ) {
                        int n = Math.min(256 * 1024, bytes.length - off);
                        byte[] chunk = java.util.Arrays.copyOfRange(bytes, off, off + n);
                        int sent = s.send(chunk);
                        if (sent <= 0) {
                            throw new UnibenchException("libvirt at " + uri + ": upload of " + name + " stalled");
                        }
                        off += sent;
                    }
                    s.finish();
                } finally {
                    s.free();
                }
                return v.getPath();
            } catch (LibvirtException e) {
                throw new UnibenchException("libvirt at " + uri + ": cannot upload " + image + " as volume " + name
                        + ": " + message(e), e);
            }
        }
    }

    /** Where a console file of this name lives on the server. */
    public String consolePath(String fileName) {
        return POOL_PATH + "/" + fileName;
    }

    /** The last {@code maxBytes} of a file in the pool (a console log), through a volume download; "" if none. */
    public byte[] download(String fileName, long maxBytes) {
        try {
            StoragePool p = pool();
            p.refresh(0);
            StorageVol v = p.storageVolLookupByName(fileName);
            long len = v.getInfo().capacity;
            long off = Math.max(0, len - maxBytes);
            Stream s = conn.streamNew(0);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                v.download(s, off, len - off, 0);
                byte[] buf = new byte[64 * 1024];
                int n;
                while ((n = s.receive(buf)) > 0) {
                    out.write(buf, 0, n);
                }
                s.finish();
            } finally {
                s.free();
            }
            return out.toByteArray();
        } catch (LibvirtException e) {
            return new byte[0];
        }
    }

    /** Removes a file of the pool (a console log of a destroyed instance), if it is there. */
    public void deleteFile(String fileName) {
        try {
            StoragePool p = pool();
            p.refresh(0);
            p.storageVolLookupByName(fileName).delete(0);
        } catch (LibvirtException | UnibenchException e) {
            // not there
        }
    }

    static String sha256(byte[] b) {
        return io.unibench.deploy.ImageFacts.sha256(b);
    }

    /** libvirt's message on one line, without its "internal error:" noise. */
    static String message(LibvirtException e) {
        String m = e.getError() != null && e.getError().getMessage() != null ? e.getError().getMessage()
                : e.getMessage();
        return m == null ? e.toString() : m.strip().replace('\n', ' ').replaceAll("\\s+", " ");
    }
}
