import { useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { useState } from 'react';
import { orgApi, orgKeys } from '../org/api';
import { useDebouncedValue } from '../org/useDebouncedValue';

/** Choose people to @mention by searching the directory. */
export function PeopleMultiSelect({
  value,
  onChange,
  placeholder,
}: {
  value: number[];
  onChange: (value: number[]) => void;
  placeholder?: string;
}) {
  const [search, setSearch] = useState('');
  const q = useDebouncedValue(search.trim(), 250);
  const query = { q: q || undefined, limit: 20 };
  const people = useQuery({ queryKey: orgKeys.people(query), queryFn: () => orgApi.people(query) });
  const options = (people.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }));
  return (
    <Select
      mode="multiple"
      value={value}
      onChange={onChange}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      options={options}
      loading={people.isFetching}
      placeholder={placeholder}
      style={{ width: '100%' }}
      data-testid="comment-mentions"
    />
  );
}
