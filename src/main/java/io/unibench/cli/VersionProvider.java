package io.unibench.cli;

import io.unibench.results.RunMetadata;
import picocli.CommandLine.IVersionProvider;

final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"unibench " + RunMetadata.Version.VERSION + " (" + RunMetadata.Version.gitCommit() + ")"};
    }
}
