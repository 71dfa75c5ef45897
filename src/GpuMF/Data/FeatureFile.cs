using System.Text;
using Parquet;
using Parquet.Schema;

namespace GpuMF.Data;

/// <summary>
/// Reads feature files into a <see cref="FeatureTable"/>. A table file is read as an interaction file
/// (<see cref="RatingFileReader"/>, <see cref="ParquetRatingReader"/>) whose item column is the feature name, read
/// as a string, and whose value column is the weight (1 where absent), so that entity ids are read exactly as
/// interactions' are; the MovieLens files are read by <see cref="MovieLensFeatures"/>.
/// </summary>
public static class FeatureFile
{
    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="format">Its layout; null to tell it from the name (<see cref="FeatureFileFormat.FromFileName"/>).</param>
    /// <param name="cancellation">Checked as the file is read.</param>
    /// <exception cref="DataFormatException">
    /// The file is malformed; each error names the file, the line (or Parquet row group) and the column: a weight that
    /// is not a number, NaN, infinite or negative; an empty entity id or feature name; an entity id of the other kind
    /// than the column's first (<see cref="IdType.Auto"/>) or not an integer (<see cref="IdType.Numeric"/>); a column
    /// named that the header lacks; a malformed MovieLens line; a file without rows; a directory; a text table given
    /// as a pipe (it is read twice: its first line for a header, then its rows).
    /// </exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentException">The format is invalid, or a text table's delimiter is not given and its extension does not tell it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled.</exception>
    public static FeatureTable Read(string path, FeatureFileFormat? format = null, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        format ??= FeatureFileFormat.FromFileName(path);
        format.Validate();
        if (Directory.Exists(path))
        {
            throw new DataFormatException(path, 0, "is a directory, not a feature file.");
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Feature file '{path}' does not exist.", path);
        }
        if (format.Kind != FeatureFileKind.Table)
        {
            return MovieLensFeatures.Read(path, format.Kind, format.IdType, cancellation);
        }
        return InteractionFile.IsParquet(path) ? ReadParquet(path, format, cancellation) : ReadText(path, format, cancellation);
    }

    private static FeatureTable ReadText(string path, FeatureFileFormat format, CancellationToken cancellation)
    {
        string delimiter = format.Delimiter ?? Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".csv" => ",",
            ".tsv" => "\t",
            ".txt" => " ",
            string ext => throw new ArgumentException($"Cannot tell the delimiter of '{path}' from its extension '{ext}': give it (FeatureFileFormat.Delimiter, or the tsv or csv format)."),
        };
        using (var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
        {
            if (!probe.CanSeek)
            {
                throw new DataFormatException(path, 0, "is not a regular file: a feature file is read twice (its first line for a header, then its rows), which a pipe cannot give; copy it to a file first.");
            }
        }
        var (header, headerLine) = FirstLine(path, delimiter == " ");
        var fields = header is null ? [] : SplitHeader(header, delimiter);
        bool hasHeader = format.HasHeader ?? fields.Exists(f => string.Equals(f, format.FeatureName, StringComparison.OrdinalIgnoreCase));
        var rating = new RatingFileFormat(delimiter)
        {
            ValueOptional = true,
            MinValue = 0,
            UserIdType = format.IdType,
            ItemIdType = IdType.Text,
            Labels = ColumnLabels.Features,
        };
        int entityColumn, featureColumn;
        if (hasHeader && header is not null)
        {
            entityColumn = Find(fields, format.EntityName is null ? FeatureFileFormat.DefaultEntityNames : [format.EntityName], path, headerLine, "entity");
            featureColumn = Find(fields, [format.FeatureName], path, headerLine, "feature");
            int weightColumn = FindOptional(fields, [format.WeightName, .. RatingFileFormat.DefaultValueNames]);
            rating = rating with
            {
                UserName = fields[entityColumn],
                ItemName = fields[featureColumn],
                ValueName = weightColumn < 0 ? null : fields[weightColumn],
            };
        }
        else
        {
            entityColumn = format.EntityColumn;
            featureColumn = format.FeatureColumn;
            rating = rating with { UserColumn = entityColumn, ItemColumn = featureColumn, ValueColumn = format.WeightColumn };
        }
        var table = RatingFileReader.Read(path, rating, cancellation);
        bool whitespace = rating.SplitsOnWhitespace;
        bool skipsHeader = hasHeader && header is not null;
        return FromRatings(path, table, row => new RowOrigin(LineOfRow(path, whitespace, skipsHeader, row), -1, row),
            $"field {entityColumn + 1} (entity id)", $"field {featureColumn + 1} (feature name)");
    }

    private static FeatureTable ReadParquet(string path, FeatureFileFormat format, CancellationToken cancellation)
    {
        List<string> fields;
        long[] groupStarts;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
        {
            ParquetReader reader;
            try
            {
                reader = ParquetReader.CreateAsync(stream, null, leaveStreamOpen: true, cancellation).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException or FormatException)
            {
                throw new DataFormatException(path, 0, $"is not a readable Parquet file: {e.Message}");
            }
            try
            {
                fields = reader.Schema.Fields.OfType<DataField>().Select(f => f.Name).ToList();
                groupStarts = new long[reader.RowGroupCount + 1];
                for (int g = 0; g < reader.RowGroupCount; g++)
                {
                    groupStarts[g + 1] = groupStarts[g] + reader.RowGroups[g].RowCount;
                }
            }
            finally
            {
                reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        if (groupStarts[^1] == 0)
        {
            throw new DataFormatException(path, 0, "the file holds no feature rows.");
        }
        int entity = Find(fields, format.EntityName is null ? FeatureFileFormat.DefaultEntityNames : [format.EntityName], path, 0, "entity");
        int feature = Find(fields, [format.FeatureName], path, 0, "feature");
        int weight = FindOptional(fields, [format.WeightName, .. RatingFileFormat.DefaultValueNames]);
        var columns = new ParquetColumns
        {
            User = fields[entity],
            Item = fields[feature],
            Value = weight < 0 ? null : fields[weight],
            UserIdType = format.IdType,
            ItemIdType = IdType.Text,
            MinValue = 0,
        };
        var table = ParquetRatingReader.Read(path, columns, cancellation);
        return FromRatings(path, table, row =>
        {
            int g = Array.BinarySearch(groupStarts, (long)row);
            g = g >= 0 ? g : ~g - 1;
            // Empty row groups share their start with the next: the row lies in the last group that starts at or before it.
            while (g + 1 < groupStarts.Length - 1 && groupStarts[g + 1] <= row)
            {
                g++;
            }
            return new RowOrigin(0, g, row - groupStarts[g]);
        }, fields[entity], fields[feature]);
    }

    /// <summary>The table's entities and names as maps of their own, and its rows as indices into them.</summary>
    private static FeatureTable FromRatings(string path, RatingTable table, Func<int, RowOrigin> locate, string entityField, string featureField)
    {
        int n = table.Count;
        var entityIndices = new int[n];
        var features = new int[n];
        var weights = table.Values.ToArray();
        ReadOnlySpan<long> users = table.Users, items = table.Items;
        // A string column's slots are already indices of its names, interned in order of first appearance.
        IdMap entities = table.UserNames ?? new IdMap(IdKind.Numeric);
        for (int r = 0; r < n; r++)
        {
            entityIndices[r] = table.UserNames is null ? entities.GetOrAdd(users[r]) : (int)users[r];
            features[r] = (int)items[r];
        }
        return new FeatureTable(path, entities, table.ItemNames!, entityIndices, features, weights, locate, entityField, featureField);
    }

    private static int Find(List<string> fields, IReadOnlyList<string> names, string path, long line, string what)
    {
        int at = FindOptional(fields, names);
        if (at < 0)
        {
            throw new DataFormatException(path, line, $"has no {what} column '{string.Join("' or '", names)}'; its columns are: {string.Join(", ", fields.Select(f => $"'{f}'"))}.");
        }
        return at;
    }

    private static int FindOptional(List<string> fields, IEnumerable<string> names)
    {
        foreach (string name in names)
        {
            int at = fields.FindIndex(f => string.Equals(f, name, StringComparison.OrdinalIgnoreCase));
            if (at >= 0)
            {
                return at;
            }
        }
        return -1;
    }

    /// <summary>A header's names, as the text reader reads them: trimmed of spaces, one pair of double quotes taken off.</summary>
    private static List<string> SplitHeader(string line, string delimiter)
    {
        var parts = delimiter == " " ? line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries) : line.Split(delimiter);
        return parts.Select(p =>
        {
            string t = p.Trim(' ');
            return t.Length >= 2 && t[0] == '"' && t[^1] == '"' ? t[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal) : t;
        }).ToList();
    }

    /// <summary>The first line the text reader would not skip as blank, and its number; null for a file of blank lines.</summary>
    private static (string? Line, long Number) FirstLine(string path, bool whitespace)
    {
        using var lines = new LineReader(new StreamReader(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true), path);
        while (lines.ReadLine() is { } line)
        {
            if ((whitespace ? line.Trim(' ', '\t') : line).Length > 0)
            {
                return (line, lines.LineNumber);
            }
        }
        return (null, 0);
    }

    /// <summary>
    /// The line of data row <paramref name="row"/>, found again on the way to an error: the text reader makes one
    /// row of each line that is not blank, after the header. 0 where the file no longer holds that row.
    /// </summary>
    private static long LineOfRow(string path, bool whitespace, bool header, int row)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long wanted = row + (header ? 1L : 0L);
        long lineNo = 0, data = -1;
        var buffer = new byte[1 << 16];
        bool blank = true;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            foreach (byte b in buffer.AsSpan(0, read))
            {
                if (b == (byte)'\n')
                {
                    lineNo++;
                    if (!blank && ++data == wanted)
                    {
                        return lineNo;
                    }
                    blank = true;
                }
                else if (b != (byte)'\r' && !(whitespace && (b == (byte)' ' || b == (byte)'\t')))
                {
                    blank = false;
                }
            }
        }
        return !blank && ++data == wanted ? lineNo + 1 : 0;
    }
}
