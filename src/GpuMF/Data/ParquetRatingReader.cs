using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Runtime.ExceptionServices;
using Parquet;
using Parquet.Schema;

namespace GpuMF.Data;

/// <summary>
/// Reads interactions from a Parquet file into a <see cref="RatingTable"/>, one row group at a time: only the
/// columns asked for are decoded, INT64 ids and FLOAT values straight into the table (sized ahead from the file's
/// row count), other types through buffers of one row group, so that beyond the table the memory held is that of
/// one row group's columns. Errors name the file, the row group and the column.
/// </summary>
public static class ParquetRatingReader
{
    /// <summary>The four bytes a Parquet file starts and ends with.</summary>
    internal static ReadOnlySpan<byte> Magic => "PAR1"u8;

    /// <summary>Bytes allocated while decoding, beyond which the buffers left behind are collected: at least 256 MB, or an eighth of the table.</summary>
    private const long GarbageBudget = 256L << 20;

    /// <summary>Reads the interactions of the Parquet file <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="columns">Which columns to read and how; null for <see cref="ParquetColumns.Default"/>.</param>
    /// <param name="cancellation">Checked before each row group.</param>
    /// <exception cref="DataFormatException">
    /// The file is not Parquet or cannot be decoded; a column asked for is missing (the message lists those present)
    /// or of a type that cannot hold it; an id column holds a null or an empty string; the value column holds a null,
    /// a non-finite value or one outside the range; the time column holds a null; or the file holds no rows.
    /// </exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled.</exception>
    public static RatingTable Read(string path, ParquetColumns? columns = null, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        columns ??= ParquetColumns.Default;
        columns.Validate();
        if (Directory.Exists(path))
        {
            throw new DataFormatException(path, 0, "is a directory, not a data file.");
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        CheckMagic(stream, path);
        var options = new ParquetOptions { TreatByteArrayAsString = true };
        var reader = Open(stream, options, path, cancellation);
        // A second reader over a stream of its own decodes the item side while the first decodes the users.
        FileStream? secondStream = null;
        ParquetReader? second = null;
        try
        {
            if (Environment.ProcessorCount > 1)
            {
                secondStream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                second = Open(secondStream, options, path, cancellation);
            }
            return new Reading(path, reader, second, columns, cancellation).Run();
        }
        finally
        {
            second?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            secondStream?.Dispose();
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static ParquetReader Open(FileStream stream, ParquetOptions options, string path, CancellationToken cancellation)
    {
        try
        {
            return ParquetReader.CreateAsync(stream, options, leaveStreamOpen: true, cancellation).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException or FormatException)
        {
            throw new DataFormatException(path, 0, $"is not a readable Parquet file: {e.Message}");
        }
    }

    private static void CheckMagic(FileStream stream, string path)
    {
        if (!stream.CanSeek)
        {
            throw new DataFormatException(path, 0, "is not a regular file: a Parquet file is read from its end (its footer), which a pipe or device cannot give; copy it to a file first.");
        }
        Span<byte> head = stackalloc byte[4];
        Span<byte> tail = stackalloc byte[4];
        bool ok = stream.Length >= 12 && stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4;
        if (ok)
        {
            stream.Position = stream.Length - 4;
            ok = stream.ReadAtLeast(tail, 4, throwOnEndOfStream: false) == 4 && head.SequenceEqual(Magic) && tail.SequenceEqual(Magic);
        }
        if (!ok)
        {
            throw new DataFormatException(path, 0, "is not a Parquet file: it does not begin and end with the bytes PAR1 (a file cut short, or of another format).");
        }
        stream.Position = 0;
    }

    /// <summary>One file being read: its columns found, then its row groups appended to the table in turn.</summary>
    private sealed class Reading
    {
        private readonly string _path;
        private readonly ParquetReader _reader;
        private readonly ParquetReader? _second;
        private readonly ParquetColumns _options;
        private readonly CancellationToken _cancellation;
        private readonly DataField _user;
        private readonly DataField _item;
        private readonly DataField? _value;
        private readonly DataField? _time;
        private readonly bool _userText;
        private readonly bool _itemText;
        private int _group;

        public Reading(string path, ParquetReader reader, ParquetReader? second, ParquetColumns options, CancellationToken cancellation)
        {
            _path = path;
            _reader = reader;
            _second = second;
            _options = options;
            _cancellation = cancellation;
            var fields = reader.Schema.Fields.OfType<DataField>().ToList();
            _user = Find(fields, options.User, [RatingFileFormat.DefaultUserName], required: true, "user")!;
            _item = Find(fields, options.Item, [RatingFileFormat.DefaultItemName], required: true, "item")!;
            _value = Find(fields, options.Value, RatingFileFormat.DefaultValueNames, required: options.Value is not null || !options.ValueOptional, "value");
            _time = options.Time is null ? null : Find(fields, options.Time, [], required: true, "time");
            _userText = IdKindOf(_user, options.UserIdType ?? options.IdType) == IdKind.Text;
            _itemText = IdKindOf(_item, options.ItemIdType ?? options.IdType) == IdKind.Text;
            if (_value is not null && (_value.IsArray || !IsNumber(_value.ClrType)))
            {
                throw WrongType(_value, "numbers");
            }
            if (_time is not null && (_time.IsArray || !(IsInteger(_time.ClrType) || _time.ClrType == typeof(DateTime) || _time.ClrType == typeof(DateTimeOffset) || _time.ClrType == typeof(DateOnly))))
            {
                throw WrongType(_time, "integers, timestamps or dates");
            }
        }

        private DataField? Find(List<DataField> fields, string? name, IReadOnlyList<string> defaults, bool required, string what)
        {
            foreach (string candidate in name is null ? defaults : [name])
            {
                var field = fields.Find(f => string.Equals(f.Name, candidate, StringComparison.OrdinalIgnoreCase));
                if (field is not null)
                {
                    return field;
                }
            }
            if (!required)
            {
                return null;
            }
            string sought = string.Join("' or '", name is null ? defaults : [name]);
            var present = _reader.Schema.Fields.Select(f => $"'{f.Name}'");
            throw new DataFormatException(_path, 0, $"has no {what} column '{sought}'; its columns are: {string.Join(", ", present)}.");
        }

        private IdKind IdKindOf(DataField field, IdType type)
        {
            bool text = IsString(field.ClrType);
            if (field.IsArray || (!text && !IsInteger(field.ClrType)))
            {
                throw WrongType(field, "integers or strings");
            }
            return type switch
            {
                IdType.Text => IdKind.Text,
                IdType.Numeric => IdKind.Numeric,
                _ => text ? IdKind.Text : IdKind.Numeric,
            };
        }

        private DataFormatException WrongType(DataField field, string expected) =>
            new(_path, 0, $"column '{field.Name}' holds {field.ClrType.Name}{(field.IsArray ? " lists" : "")}, not {expected}.");

        /// <summary>Parquet.Net gives UTF-8 columns as <see cref="ReadOnlyMemory{T}"/> of chars, or as strings.</summary>
        private static bool IsString(Type type) => type == typeof(string) || type == typeof(ReadOnlyMemory<char>);

        private static bool IsInteger(Type type) => Type.GetTypeCode(type) is TypeCode.SByte or TypeCode.Byte or TypeCode.Int16 or TypeCode.UInt16
            or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64;

        private static bool IsNumber(Type type) => IsInteger(type) || Type.GetTypeCode(type) is TypeCode.Single or TypeCode.Double or TypeCode.Decimal;

        public RatingTable Run()
        {
            long total = 0;
            foreach (var group in _reader.RowGroups)
            {
                total += group.RowCount;
            }
            RatingTable.CheckFits(total);
            if (total == 0)
            {
                throw new DataFormatException(_path, 0, "the file holds no interactions.");
            }
            var table = new RatingTable(_userText ? IdKind.Text : IdKind.Numeric, _itemText ? IdKind.Text : IdKind.Numeric, (int)total, times: _time is not null);
            long garbageMark = GC.GetTotalAllocatedBytes();
            long garbageBudget = Math.Max(GarbageBudget, total * 20 / 8);
            for (_group = 0; _group < _reader.RowGroupCount; _group++)
            {
                _cancellation.ThrowIfCancellationRequested();
                using var group = _reader.OpenRowGroupReader(_group);
                using var otherGroup = _second?.OpenRowGroupReader(_group);
                int rows = (int)group.RowCount;
                var (users, items, values, times, start) = table.AppendInPlace(rows);
                void UserSide() => Guard(_user, () => Ids(group, _user, _userText, table.UserNames, rows, users.AsMemory(start, rows)));
                void ItemSide(Parquet.ParquetRowGroupReader from)
                {
                    Guard(_item, () => Ids(from, _item, _itemText, table.ItemNames, rows, items.AsMemory(start, rows)));
                    if (_value is not null)
                    {
                        Guard(_value, () => Values(from, _value, rows, values.AsMemory(start, rows)));
                    }
                    else
                    {
                        values.AsSpan(start, rows).Fill(1f);
                    }
                    if (_time is not null)
                    {
                        Guard(_time, () => Times(from, _time, rows, times.AsMemory(start, rows)));
                    }
                }
                if (otherGroup is null)
                {
                    UserSide();
                    ItemSide(group);
                }
                else
                {
                    // The two sides write disjoint columns and intern into distinct id maps. Both are waited for, so
                    // that neither outlives its group; a failure of the user side is reported first.
                    var userSide = Task.Run(UserSide, _cancellation);
                    var itemSide = Task.Run(() => ItemSide(otherGroup), _cancellation);
                    try
                    {
                        Task.WaitAll(userSide, itemSide);
                    }
                    catch (AggregateException)
                    {
                        var failure = (userSide.Exception ?? itemSide.Exception)?.InnerException;
                        if (failure is null)
                        {
                            throw;
                        }
                        ExceptionDispatchInfo.Throw(failure);
                    }
                }
                // Parquet.Net decodes each column chunk into new large buffers, which only a full collection frees; the
                // collector, seeing a large live table, would otherwise let them pile up to several times its size.
                if (GC.GetTotalAllocatedBytes() - garbageMark > garbageBudget)
                {
                    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
                    garbageMark = GC.GetTotalAllocatedBytes();
                }
            }
            return table;
        }

        /// <summary>Runs the decoding of <paramref name="field"/>, a failure of the decoder an error naming the row group and the column.</summary>
        private void Guard(DataField field, Action decode)
        {
            try
            {
                decode();
            }
            catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or IndexOutOfRangeException or ArgumentException or InvalidOperationException or FormatException and not DataFormatException)
            {
                throw new DataFormatException(_path, _group, field.Name, $"cannot be decoded: {e.Message}");
            }
        }

        private DataFormatException Bad(DataField field, string problem) => new(_path, _group, field.Name, problem);

        /// <summary>
        /// Decodes <paramref name="rows"/> values of a column of <typeparamref name="T"/> into a pooled buffer (the
        /// caller returns it), checking a nullable column holds no null.
        /// </summary>
        private T[] Column<T>(Parquet.ParquetRowGroupReader group, DataField field, int rows, string what) where T : struct
        {
            var values = ArrayPool<T>.Shared.Rent(Math.Max(rows, 1));
            if (!field.IsNullable)
            {
                group.ReadAsync(field, values.AsMemory(0, rows), null, _cancellation).AsTask().GetAwaiter().GetResult();
                return values;
            }
            var levels = ArrayPool<int>.Shared.Rent(Math.Max(rows, 1));
            try
            {
                group.ReadRawAsync(field, values.AsMemory(0, rows), levels.AsMemory(0, rows), null, _cancellation).AsTask().GetAwaiter().GetResult();
                int missing = levels.AsSpan(0, rows).IndexOf(0);
                if (missing >= 0)
                {
                    ArrayPool<T>.Shared.Return(values);
                    throw Bad(field, $"row {missing} of the group is null: every row needs {what}.");
                }
            }
            finally
            {
                ArrayPool<int>.Shared.Return(levels);
            }
            return values;
        }

        private void Ids(Parquet.ParquetRowGroupReader group, DataField field, bool text, IdMap? names, int rows, Memory<long> into)
        {
            if (IsString(field.ClrType))
            {
                var strings = Column<ReadOnlyMemory<char>>(group, field, rows, "an id");
                var ids = into.Span;
                try
                {
                    for (int r = 0; r < rows; r++)
                    {
                        var id = strings[r].Span;
                        if (id.IsEmpty)
                        {
                            throw Bad(field, $"row {r} of the group is an empty string: every row needs an id.");
                        }
                        if (text)
                        {
                            ids[r] = names!.TryGetIndex(id, out int known) ? known : names.GetOrAdd(new string(id));
                        }
                        else if (long.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
                        {
                            ids[r] = value;
                        }
                        else
                        {
                            throw Bad(field, $"row {r} of the group holds '{id}', not an integer (read the ids as strings: --id-type string, IdType.Text).");
                        }
                    }
                }
                finally
                {
                    ArrayPool<ReadOnlyMemory<char>>.Shared.Return(strings, clearArray: true);
                }
                return;
            }
            Integers(group, field, rows, "an id", into);
            if (text)
            {
                var ids = into.Span;
                for (int r = 0; r < rows; r++)
                {
                    ids[r] = names!.GetOrAdd(ids[r].ToString(CultureInfo.InvariantCulture));
                }
            }
        }

        private void Integers(Parquet.ParquetRowGroupReader group, DataField field, int rows, string what, Memory<long> into)
        {
            switch (Type.GetTypeCode(field.ClrType))
            {
                case TypeCode.Int64:
                    Widen<long>(group, field, rows, what, into);
                    break;
                case TypeCode.Int32:
                    Widen<int>(group, field, rows, what, into);
                    break;
                case TypeCode.Int16:
                    Widen<short>(group, field, rows, what, into);
                    break;
                case TypeCode.SByte:
                    Widen<sbyte>(group, field, rows, what, into);
                    break;
                case TypeCode.Byte:
                    Widen<byte>(group, field, rows, what, into);
                    break;
                case TypeCode.UInt16:
                    Widen<ushort>(group, field, rows, what, into);
                    break;
                case TypeCode.UInt32:
                    Widen<uint>(group, field, rows, what, into);
                    break;
                default:
                    Widen<ulong>(group, field, rows, what, into);
                    break;
            }
        }

        private void Widen<T>(Parquet.ParquetRowGroupReader group, DataField field, int rows, string what, Memory<long> into) where T : struct, IBinaryInteger<T>
        {
            if (typeof(T) == typeof(long) && !field.IsNullable)
            {
                // Decoded in place: no copy.
                group.ReadAsync(field, into, null, _cancellation).AsTask().GetAwaiter().GetResult();
                return;
            }
            var values = Column<T>(group, field, rows, what);
            try
            {
                var source = values.AsSpan(0, rows);
                var target = into.Span;
                int r = 0;
                try
                {
                    for (; r < rows; r++)
                    {
                        target[r] = long.CreateChecked(source[r]);
                    }
                }
                catch (OverflowException)
                {
                    throw Bad(field, $"row {r} of the group holds {source[r]}, beyond 64-bit signed integers.");
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(values);
            }
        }

        private void Values(Parquet.ParquetRowGroupReader group, DataField field, int rows, Memory<float> into)
        {
            switch (Type.GetTypeCode(field.ClrType))
            {
                case TypeCode.Single:
                    Narrow<float>(group, field, rows, into);
                    break;
                case TypeCode.Double:
                    Narrow<double>(group, field, rows, into);
                    break;
                case TypeCode.Decimal:
                    Narrow<decimal>(group, field, rows, into);
                    break;
                case TypeCode.Int64:
                    Narrow<long>(group, field, rows, into);
                    break;
                case TypeCode.Int32:
                    Narrow<int>(group, field, rows, into);
                    break;
                case TypeCode.Int16:
                    Narrow<short>(group, field, rows, into);
                    break;
                case TypeCode.SByte:
                    Narrow<sbyte>(group, field, rows, into);
                    break;
                case TypeCode.Byte:
                    Narrow<byte>(group, field, rows, into);
                    break;
                case TypeCode.UInt16:
                    Narrow<ushort>(group, field, rows, into);
                    break;
                case TypeCode.UInt32:
                    Narrow<uint>(group, field, rows, into);
                    break;
                default:
                    Narrow<ulong>(group, field, rows, into);
                    break;
            }
        }

        private void Narrow<T>(Parquet.ParquetRowGroupReader group, DataField field, int rows, Memory<float> into) where T : struct, INumberBase<T>
        {
            if (typeof(T) == typeof(float) && !field.IsNullable)
            {
                group.ReadAsync(field, into, null, _cancellation).AsTask().GetAwaiter().GetResult();
                CheckValues(field, into.Span);
                return;
            }
            var values = Column<T>(group, field, rows, "a value");
            try
            {
                var source = values.AsSpan(0, rows);
                var target = into.Span;
                float min = _options.MinValue, max = _options.MaxValue;
                for (int r = 0; r < rows; r++)
                {
                    float v = float.CreateSaturating(source[r]);
                    if (!float.IsFinite(v) || v < min || v > max)
                    {
                        throw Bad(field, float.IsFinite(v)
                            ? $"row {r} of the group holds {v.ToString(CultureInfo.InvariantCulture)}, outside the declared range {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}."
                            : $"row {r} of the group holds {source[r]}, which is not a finite 32-bit float.");
                    }
                    target[r] = v;
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(values);
            }
        }

        private void CheckValues(DataField field, ReadOnlySpan<float> values)
        {
            float min = _options.MinValue, max = _options.MaxValue;
            for (int r = 0; r < values.Length; r++)
            {
                float v = values[r];
                // One test for the usual case: every finite value in range (NaN fails it).
                if (!(v >= min && v <= max) || !float.IsFinite(v))
                {
                    throw Bad(field, float.IsFinite(v)
                        ? $"row {r} of the group holds {v.ToString(CultureInfo.InvariantCulture)}, outside the declared range {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}."
                        : $"row {r} of the group holds {v.ToString(CultureInfo.InvariantCulture)}, which is not finite.");
                }
            }
        }

        private void Times(Parquet.ParquetRowGroupReader group, DataField field, int rows, Memory<long> into)
        {
            var times = into.Span;
            if (field.ClrType == typeof(DateTime))
            {
                var values = Column<DateTime>(group, field, rows, "a time");
                for (int r = 0; r < rows; r++)
                {
                    times[r] = new DateTimeOffset(DateTime.SpecifyKind(values[r], DateTimeKind.Utc)).ToUnixTimeSeconds();
                }
                ArrayPool<DateTime>.Shared.Return(values);
            }
            else if (field.ClrType == typeof(DateTimeOffset))
            {
                var values = Column<DateTimeOffset>(group, field, rows, "a time");
                for (int r = 0; r < rows; r++)
                {
                    times[r] = values[r].ToUnixTimeSeconds();
                }
                ArrayPool<DateTimeOffset>.Shared.Return(values);
            }
            else if (field.ClrType == typeof(DateOnly))
            {
                var values = Column<DateOnly>(group, field, rows, "a time");
                for (int r = 0; r < rows; r++)
                {
                    times[r] = new DateTimeOffset(values[r].ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds();
                }
                ArrayPool<DateOnly>.Shared.Return(values);
            }
            else
            {
                Integers(group, field, rows, "a time", into);
            }
        }
    }
}
