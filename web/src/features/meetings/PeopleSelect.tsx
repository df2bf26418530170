import { useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { useState } from 'react';
import { orgApi, orgKeys } from '../org/api';
import { useDebouncedValue } from '../org/useDebouncedValue';

/** Choose several people by searching the directory (pinyin and initials work: "lf" finds 刘锋). */
export function PeopleSelect({
  id,
  value,
  onChange,
  placeholder,
  testId,
}: {
  id?: string;
  value?: number[];
  onChange?: (value: number[]) => void;
  placeholder?: string;
  testId?: string;
}) {
  const [search, setSearch] = useState('');
  const [known, setKnown] = useState<Record<number, string>>({});
  const q = useDebouncedValue(search.trim(), 250);
  const query = { q: q || undefined, limit: 20 };
  const people = useQuery({ queryKey: orgKeys.people(query), queryFn: () => orgApi.people(query) });
  const options = (people.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }));
  for (const pid of value ?? []) {
    if (!options.some((o) => o.value === pid) && known[pid]) options.push({ value: pid, label: known[pid] });
  }
  return (
    <Select
      id={id}
      mode="multiple"
      value={value ?? []}
      onChange={(ids: number[]) => {
        const names = { ...known };
        for (const o of options) names[o.value] = o.label;
        setKnown(names);
        onChange?.(ids);
      }}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      options={options}
      loading={people.isFetching}
      placeholder={placeholder}
      data-testid={testId}
    />
  );
}
