package io.unibench.cli;

import io.unibench.results.RunMetadata;
import picocli.CommandLine.IVersionProvider;

/** {@code unibench --version}: version, the commit it was built from, the Java running it, the platform. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {
            "unibench " + RunMetadata.Version.VERSION,
            "commit " + RunMetadata.Version.gitCommit() + " (built " + RunMetadata.Version.buildTime() + ")",
            "java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ", "
                    + System.getProperty("java.home") + ")",
            "platform " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                    + System.getProperty("os.arch")};
    }
}
