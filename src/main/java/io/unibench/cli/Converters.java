package io.unibench.cli;

import io.unibench.UsageException;
import io.unibench.Units;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** picocli converters for the units users type; bad text becomes a usage error at parse time. */
final class Converters {
    private Converters() {
    }

    /** {@code 300ms}, {@code 5s}, {@code 5m}, {@code 1h}; a bare number is seconds. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Units.parseDuration(value);
            } catch (UsageException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code 100}, {@code 2k}, {@code 1.5M} per second. */
    static final class RateConverter implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            try {
                return Units.parseRate(value);
            } catch (UsageException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code 8M}, {@code 128M}, {@code 1G} bytes. */
    static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Units.parseSize(value);
            } catch (UsageException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
